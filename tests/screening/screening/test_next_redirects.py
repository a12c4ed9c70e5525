"""A form's ``next`` leads back to a page of this site and nowhere else (reviewapp.pages.next_url)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

OFF_SITE = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
            "javascript:alert(1)", "http://testserver.evil.example/", "https:evil.example", " //evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_mending_a_record_never_redirects_off_the_site(client_for, review, screeners, records_to_screen, target):
    record = records_to_screen[0].record
    response = client_for(screeners[0]).post(reverse("record_mend", args=[review.pk, record.pk]),
                                             {"field": "title", "text": "A mended title", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("record_detail", args=[review.pk, record.pk])


def test_mending_a_record_goes_back_to_the_page_it_came_from(client_for, review, screeners, records_to_screen):
    record = records_to_screen[0].record
    back = reverse("screen", args=[review.pk, "ta"]) + f"?item={records_to_screen[0].pk}"
    response = client_for(screeners[0]).post(reverse("record_mend", args=[review.pk, record.pk]),
                                             {"field": "title", "text": "A mended title", "next": back})
    assert response["Location"] == back


def test_no_view_reads_next_but_through_next_url():
    root = Path(__file__).resolve().parents[3]
    reads = re.compile(r"""(GET|POST|data)(\.get\(|\[)\s*["']next["']""")
    offenders = [str(path.relative_to(root)) for app in ("reviewapp", "screening", "extraction", "analysis")
                 for path in (root / app).rglob("*.py")
                 if reads.search(path.read_text()) and path.relative_to(root) != Path("reviewapp/pages.py")]
    assert offenders == []
