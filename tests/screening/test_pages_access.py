"""Who may open which screening page: every page and role, table-driven.

Members without the capability get 403; people outside the review get 404 (its existence does not leak).
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from screening.models import DuplicatePair, Record

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db

EVERY_MEMBER = {"lead": 200, "reviewer": 200, "extractor": 200, "viewer": 200, "reviewer_extractor": 200,
                "outsider": 404}
LEAD_ONLY = {"lead": 200, "reviewer": 403, "extractor": 403, "viewer": 403, "reviewer_extractor": 403,
             "outsider": 404}

SCREENERS = {"lead": 200, "reviewer": 200, "extractor": 403, "viewer": 403, "reviewer_extractor": 200,
             "outsider": 404}

# (url name, needs which objects, expected status per person)
GET_PAGES = [
    ("search_list", (), EVERY_MEMBER),
    ("search_create", (), LEAD_ONLY),
    ("search_detail", ("search",), EVERY_MEMBER),
    ("search_edit", ("search",), LEAD_ONLY),
    ("search_file_report", ("file",), EVERY_MEMBER),
    ("search_file_progress", ("file",), EVERY_MEMBER),
    ("search_file_download", ("file",), EVERY_MEMBER),
    ("record_list", (), EVERY_MEMBER),
    ("record_detail", ("record",), EVERY_MEMBER),
    ("record_export_ris", (), EVERY_MEMBER),
    ("record_export_csv", (), EVERY_MEMBER),
    ("duplicate_queue", (), EVERY_MEMBER),
    ("duplicate_pair", ("pair",), EVERY_MEMBER),
    ("screening_home", (), EVERY_MEMBER),
    ("screening_settings", (), EVERY_MEMBER),
    ("screen", ("ta",), SCREENERS),
    ("screen", ("ft",), SCREENERS),
    ("my_decisions", (), SCREENERS),
    ("conflict_list", (), LEAD_ONLY),
    ("decisions_log", (), LEAD_ONLY),
    ("agreement", (), LEAD_ONLY),
    ("screening_team", (), LEAD_ONLY),
    ("study_list", (), EVERY_MEMBER),
    ("prisma", (), EVERY_MEMBER),
    ("prisma_csv", (), EVERY_MEMBER),
    ("prisma2020_csv", (), EVERY_MEMBER),
    ("prisma_svg", (), EVERY_MEMBER),
    ("prisma_box", ("box",), EVERY_MEMBER),
    ("prisma_checklist", (), EVERY_MEMBER),
    ("search_appendix", (), EVERY_MEMBER),
    ("search_appendix_md", (), EVERY_MEMBER),
]


@pytest.fixture
def objects(review, people):
    lead = people["lead"]
    first = make_search(review, lead, "Scopus")
    second = make_search(review, lead, "EMBASE")
    search_file = import_bytes(first, lead, ris(record(1), record(2)), "scopus.ris")
    # Same details but another DOI: a possible duplicate, waiting for a lead.
    import_bytes(second, lead, ris(record(1, doi="10.1000/another"), record(3)),
                 "embase.ris")
    pair = DuplicatePair.objects.get(review=review)
    return {"search": first.pk, "file": search_file.pk, "record": Record.objects.first().pk, "pair": pair.pk,
            "ta": "ta", "ft": "ft", "box": "records_screened"}


@pytest.mark.parametrize("name, needs, expected", GET_PAGES, ids=[f"{p[0]}{'-' + p[1][0] if p[1] else ''}"
                                                                 for p in GET_PAGES])
@pytest.mark.parametrize("who", list(EVERY_MEMBER))
def test_page_access_by_role(client_for, review, people, objects, name, needs, expected, who):
    url = reverse(name, args=[review.pk, *(objects[n] for n in needs)])
    response = client_for(people[who]).get(url)
    assert response.status_code == expected[who]


@pytest.mark.parametrize("who", list(EVERY_MEMBER))
def test_only_a_lead_decides_on_duplicates(client_for, review, people, objects, who):
    url = reverse("duplicate_pair", args=[review.pk, objects["pair"]])
    response = client_for(people[who]).post(url, {"action": "merge"})
    merged = DuplicatePair.objects.get(pk=objects["pair"]).status == DuplicatePair.Status.MERGED
    if who == "lead":
        assert response.status_code == 302 and merged
    else:
        assert response.status_code == LEAD_ONLY[who] and not merged


@pytest.mark.parametrize("who", list(EVERY_MEMBER))
def test_only_a_lead_uploads_files(client_for, review, people, objects, who, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("search_detail", args=[review.pk, objects["search"]])
    upload = SimpleUploadedFile("more.ris", ris(record(50)))
    with django_capture_on_commit_callbacks(execute=True):  # the import task is queued on commit
        response = client_for(people[who]).post(url, {"file": upload, "format": ""})
    assert response.status_code == (302 if who == "lead" else LEAD_ONLY[who])
    assert Record.objects.filter(title__contains="number 50").exists() == (who == "lead")


def test_anonymous_visitors_are_sent_to_sign_in(client, review):
    response = client.get(reverse("search_list", args=[review.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_lead_sees_the_upload_form_and_a_viewer_does_not(client_for, review, people, objects):
    url = reverse("search_detail", args=[review.pk, objects["search"]])
    assert 'type="file"' in client_for(people["lead"]).get(url).content.decode()
    assert 'type="file"' not in client_for(people["viewer"]).get(url).content.decode()


def test_record_detail_names_the_publication_type_in_words(client_for, review, people, objects):
    Record.objects.filter(pk=objects["record"]).update(publication_type="JOUR")
    page = client_for(people["viewer"]).get(reverse("record_detail", args=[review.pk, objects["record"]]))
    text = page.content.decode()
    assert "<dd>Journal article</dd>" in text and "JOUR" not in text.split("<pre", 1)[0]
