"""DOI, PubMed and PMC identifiers as links wherever a record is shown, the review's OpenURL
resolver and Unpaywall as "find full text" links (links only), and downloads under the uploaded name."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening import identifiers, services
from screening.models import Record, ScreeningSettings

from .conftest import decide

PDF = b"%PDF-1.4\n%test\n"


def test_doi_links_percent_encode_what_a_doi_may_hold_and_keep_its_slash():
    assert identifiers.doi_url("10.1000/abc") == "https://doi.org/10.1000/abc"
    assert identifiers.doi_url("doi:10.1002/(SICI)1097<x>#1?a b\"") == (
        "https://doi.org/10.1002/%28SICI%291097%3Cx%3E%231%3Fa%20b%22")
    assert identifiers.doi_url("https://doi.org/10.1/x") == "https://doi.org/10.1/x"
    assert identifiers.doi_url("not a doi") == ""
    assert identifiers.unpaywall_url("10.1000/abc") == "https://unpaywall.org/10.1000/abc"


def test_pubmed_and_pmc_links_only_for_well_formed_ids():
    assert identifiers.pmid_url("12345678") == "https://pubmed.ncbi.nlm.nih.gov/12345678/"
    assert identifiers.pmid_url("123\"><script>") == ""
    assert identifiers.pmcid_of("TI  - x\nPMC - PMC4513071\n") == "PMC4513071"
    assert identifiers.pmc_url("PMC4513071") == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4513071/"
    assert identifiers.pmc_url("PMC12/../x") == ""


@pytest.mark.parametrize("base", ["javascript:alert(1)", "ftp://library.example/openurl", "https://",
                                  "https://lib.example/ open", "https://lib.example/x#frag", "/relative"])
def test_a_resolver_must_be_a_web_address(base):
    assert identifiers.resolver_problem(base)
    assert identifiers.openurl(base, doi="10.1/x") == ""


def test_the_openurl_carries_the_article_encoded():
    url = identifiers.openurl("https://resolver.example.edu/openurl?sid=lib", doi="10.1000/a&b=c", pmid="123",
                              title="Babies & mothers", journal="J", year=2004, pages="100-110")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "resolver.example.edu", "/openurl")
    query = parse_qs(parts.query)
    assert query["sid"] == ["lib"] and query["url_ver"] == ["Z39.88-2004"]
    assert query["rft_id"] == ["info:doi/10.1000/a&b=c", "info:pmid/123"]
    assert query["rft.atitle"] == ["Babies & mothers"] and query["rft.spage"] == ["100"]
    assert query["rft.epage"] == ["110"] and query["rft.date"] == ["2004"]


def test_the_record_page_links_doi_pubmed_and_pmc_escaped(client_for, review, people, records_to_screen):
    record = records_to_screen[0].record
    Record.objects.filter(pk=record.pk).update(doi='10.1000/x"<b>', pmid="31234567",
                                               raw=record.raw + "\nC2  - PMC4756000\n")
    page = client_for(people["viewer"]).get(reverse("record_detail", args=[review.pk, record.pk])).content.decode()
    assert 'href="https://doi.org/10.1000/x%22%3Cb%3E"' in page and "10.1000/x&quot;&lt;b&gt;</a>" in page
    assert "<b>" not in page.split("Identifiers", 1)[1].split("</dd>", 1)[0]
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/31234567/"' in page
    assert 'href="https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4756000/"' in page
    assert 'href="https://unpaywall.org/10.1000/x%22%3Cb%3E"' in page
    assert "at your library" not in page  # no resolver set


def test_the_records_list_and_screening_pages_link_the_doi(client_for, review, people, screeners,
                                                           records_to_screen):
    item = records_to_screen[0]
    doi_link = f'href="https://doi.org/{item.record.doi}"'
    listing = client_for(people["viewer"]).get(reverse("record_list", args=[review.pk])).content.decode()
    assert doi_link in listing
    screen = client_for(screeners[0]).get(reverse("screen", args=[review.pk, "ta"]), {"item": item.pk})
    assert doi_link in screen.content.decode()


def test_the_lead_sets_the_library_resolver_and_every_record_gets_a_find_link(client_for, review, people,
                                                                               screeners, records_to_screen):
    lead = client_for(people["lead"])
    url = reverse("screening_settings", args=[review.pk])
    form = lead.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "exclusion_reasons"}
    data["exclusion_reasons"] = "\n".join(form.initial["exclusion_reasons"])
    refused = lead.post(url, {**data, "fulltext_resolver": "javascript:alert(1)"})
    assert refused.status_code == 200 and "must start with https://" in refused.content.decode()
    assert not ScreeningSettings.objects.filter(review=review).exclude(fulltext_resolver="").exists()
    saved = lead.post(url, {**data, "fulltext_resolver": "https://resolver.example.edu/openurl"})
    assert saved.status_code == 302, saved.context["form"].errors
    assert ScreeningSettings.objects.get(review=review).fulltext_resolver == "https://resolver.example.edu/openurl"
    item = records_to_screen[0]
    for person, page in ((people["viewer"], reverse("record_detail", args=[review.pk, item.record.pk])),):
        html = client_for(person).get(page).content.decode()
        assert "https://resolver.example.edu/openurl?url_ver=Z39.88-2004" in html
        assert f"rft_id=info%3Adoi%2F{item.record.doi.replace('/', '%2F')}" in html


def test_the_resolver_setting_has_an_api_twin(client_for, review, people):
    url = reverse("api_screening_settings", args=[review.pk])
    lead = client_for(people["lead"])
    bad = lead.patch(url, {"fulltext_resolver": "data:text/html,x"}, content_type="application/json")
    assert bad.status_code == 400 and "must start with https" in bad.json()["errors"]["fulltext_resolver"][0]
    ok = lead.patch(url, {"fulltext_resolver": "https://lib.example/sfx"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["fulltext_resolver"] == "https://lib.example/sfx"
    refused = client_for(people["reviewer"]).patch(url, {"fulltext_resolver": ""}, content_type="application/json")
    assert refused.status_code == 403


@pytest.mark.parametrize("name, ascii_part, star_part", [
    ("Smith 2004 – trial.pdf", 'filename="Smith 2004 _ trial.pdf"',
     "filename*=UTF-8''Smith%202004%20%E2%80%93%20trial.pdf"),
    ('a"b;c.pdf', 'filename="a_b_c.pdf"', "filename*=UTF-8''a%22b%3Bc.pdf"),
])
def test_full_texts_download_under_the_uploaded_name(client_for, review, people, screeners, records_to_screen,
                                                    name, ascii_part, star_part):
    item = records_to_screen[0]
    decide(review, screeners[0], item, "include")
    decide(review, screeners[1], item, "include")
    services.fulltext_upload(actor=screeners[0], record=item.record, upload=SimpleUploadedFile(name, PDF))
    assert AuditEvent.objects.filter(object_label=f"full text of record #{item.record.number}").exists()
    viewer = client_for(people["viewer"])
    page = viewer.get(reverse("fulltext", args=[review.pk, item.record.pk]))
    assert page["Content-Disposition"] == f"inline; {ascii_part}; {star_part}"
    download = viewer.get(reverse("fulltext", args=[review.pk, item.record.pk]), {"download": "1"})
    assert download["Content-Disposition"] == f"attachment; {ascii_part}; {star_part}"
    api = viewer.get(reverse("api_record_fulltext", args=[review.pk, item.record.pk]))
    assert api["Content-Disposition"] == f"attachment; {ascii_part}; {star_part}"
    assert b"".join(api.streaming_content) == PDF


def test_the_api_gives_a_records_identifier_links(client_for, review, people, records_to_screen):
    record = records_to_screen[0].record
    Record.objects.filter(pk=record.pk).update(pmid="31234567", raw=record.raw + "\nC2  - PMC4756000\n")
    answer = client_for(people["viewer"]).get(reverse("api_record", args=[review.pk, record.pk])).json()
    assert answer["links"] == {"doi": f"https://doi.org/{record.doi}",
                               "pubmed": "https://pubmed.ncbi.nlm.nih.gov/31234567/",
                               "pmc": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4756000/",
                               "unpaywall": f"https://unpaywall.org/{record.doi}"}
    listed = client_for(people["viewer"]).get(reverse("api_records", args=[review.pk])).json()
    first = next(r for r in listed["results"] if r["id"] == record.pk)
    assert first["links"]["pubmed"] == "https://pubmed.ncbi.nlm.nih.gov/31234567/"


def test_a_full_text_conflict_shows_the_pdf_beside_the_decisions(client_for, review, people, screeners,
                                                                 records_to_screen):
    from screening.models import ScreeningItem

    item = records_to_screen[0]
    for person in screeners:
        decide(review, person, item, "include")
    ft = ScreeningItem.objects.get(record=item.record, stage="ft")
    reason = services.screening_settings(review).exclusion_reasons[0]
    decide(review, screeners[0], ft, "include")
    decide(review, screeners[1], ft, "exclude", reason=reason)
    services.fulltext_upload(actor=screeners[0], record=item.record, upload=SimpleUploadedFile("trial.pdf", PDF))
    page = client_for(people["lead"]).get(reverse("conflict_resolve", args=[review.pk, ft.pk])).content.decode()
    assert 'class="screen-layout with-pdf"' in page and '<iframe src="' in page and 'id="show-fulltext"' in page
