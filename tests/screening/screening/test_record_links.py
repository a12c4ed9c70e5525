"""Only http(s) URLs that came with data become links, through one filter (reviewapp's web_url)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from reviewapp.templatetags.links import web_url_or_empty
from screening.models import Record

NOT_LINKS = ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "java\tscript:alert(1)",
             "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
             "file:///etc/passwd", "//evil.example/x", "/relative/path", "http:/no-host", "https://[broken"]
LINKS = ["https://doi.org/10.1000/1", "http://example.org/a?b=c", "HTTPS://EXAMPLE.ORG/"]


@pytest.mark.parametrize("url", NOT_LINKS)
def test_other_schemes_are_not_links(url):
    assert web_url_or_empty(url) == ""


@pytest.mark.parametrize("url", LINKS)
def test_web_urls_are(url):
    assert web_url_or_empty(url) == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"])
def test_a_records_script_url_shows_as_text(client_for, review, people, records_to_screen, url):
    record = records_to_screen[0].record
    Record.objects.filter(pk=record.pk).update(url=url)
    page = client_for(people["viewer"]).get(reverse("record_detail", args=[review.pk, record.pk])).content.decode()
    scheme = url.split(":")[0]
    assert f'href="{scheme}' not in page and f"<dd>{url}</dd>" in page


def test_a_records_web_url_is_a_link(client_for, review, people, records_to_screen):
    record = records_to_screen[0].record
    Record.objects.filter(pk=record.pk).update(url="https://example.org/paper")
    page = client_for(people["viewer"]).get(reverse("record_detail", args=[review.pk, record.pk])).content.decode()
    assert '<a href="https://example.org/paper" rel="noopener noreferrer">' in page


# Variables templates may put in an href or src: addresses our code built with reverse(), and
# `link`, the result of |web_url. Anything else that came with data must go through |web_url.
# The identifier links are built by screening.identifiers from fixed https bases (test_identifier_links.py);
# the report's links and figures by analysis.report.gather with reverse() (test_report.py follows each);
# the records list's rows by `{% url 'record_list' ... as records_url %}` and the record's number.
BUILT_BY_US = {"link", "compare_url", "figures_url", "t.url", "s.url",
               "doi_url", "pmid_url", "pmc_url", "resolver_url", "unpaywall_url",
               "span.href", "block.href", "block.src", "records_url"}


def test_every_address_a_template_writes_is_ours_or_through_web_url():
    root = Path(__file__).resolve().parents[3]
    attribute = re.compile(r"""(?:href|src|action|formaction)=["']\{\{\s*([\w.]+)""")
    found = {(str(path.relative_to(root)), name) for folder in [root / "templates", *root.glob("*/templates")]
             for path in folder.rglob("*.html") for name in attribute.findall(path.read_text())}
    assert {(path, name) for path, name in found if name not in BUILT_BY_US} == set()
    assert any(name == "link" for _, name in found)
