"""Uploading (size limit), the progress endpoint, the records list and the dashboard stages."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import SearchFile
from screening.services.importing import ImportProgress, progress_cache_key

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_named(client_for, review, people, settings):
    settings.MAX_UPLOAD_MB = 1
    search = make_search(review, people["lead"])
    upload = SimpleUploadedFile("huge.ris", b"x" * (1024 * 1024 + 1))
    response = client_for(people["lead"]).post(reverse("search_detail", args=[review.pk, search.pk]),
                                               {"file": upload, "format": ""})
    # Refused at the door (reviewapp.uploads): the file is not read past the limit.
    assert response.status_code == 413
    assert "A search export may be at most 1 MB (MAX_UPLOAD_MB)" in response.content.decode()
    assert not SearchFile.objects.exists()


def test_an_empty_upload_is_refused_on_the_page(client_for, review, people):
    search = make_search(review, people["lead"])
    response = client_for(people["lead"]).post(reverse("search_detail", args=[review.pk, search.pk]),
                                               {"file": SimpleUploadedFile("none.ris", b""), "format": ""})
    page = response.content.decode()
    assert "The submitted file is empty" in page or "none.ris is empty" in page
    assert not SearchFile.objects.exists()


def test_uploading_runs_the_import_and_shows_the_report(client_for, review, people, django_capture_on_commit_callbacks):
    search = make_search(review, people["lead"], reported_hits=3)
    client = client_for(people["lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("search_detail", args=[review.pk, search.pk]),
                               {"file": SimpleUploadedFile("s.ris", ris(record(1), record(2))), "format": "ris"})
    search_file = SearchFile.objects.get()
    assert response["Location"] == reverse("search_file_report", args=[review.pk, search_file.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Import report" in page and "Records parsed and stored" in page
    listing = client.get(reverse("search_list", args=[review.pk])).content.decode()
    assert "≠ reported" in listing  # 2 imported, 3 reported


def test_the_progress_endpoint_reports_a_running_import_from_the_cache(client_for, review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], ris(record(1)), "s.ris")
    url = reverse("search_file_progress", args=[review.pk, search_file.pk])
    done = client_for(people["viewer"]).get(url).json()
    assert done == {**done, "status": "done", "finished": True, "percent": 100, "records_imported": 1}

    SearchFile.objects.filter(pk=search_file.pk).update(status=SearchFile.Status.RUNNING, records_read=0)
    ImportProgress(search_file.pk, total_lines=1000).update(records=250, line=500, force=True)
    running = client_for(people["viewer"]).get(url).json()
    assert running["status"] == "running" and not running["finished"]
    assert running["records_read"] == 250 and running["percent"] == 50
    cache.delete(progress_cache_key(search_file.pk))


def test_a_failed_import_shows_the_error_and_a_lead_can_retry(client_for, review, people,
                                                              django_capture_on_commit_callbacks):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], b"TY  - JOUR\nTI  - cut\n", "cut.ris")
    client = client_for(people["lead"])
    page = client.get(reverse("search_file_report", args=[review.pk, search_file.pk])).content.decode()
    assert "cut.ris, line 1" in page and "nothing from this file was imported" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("search_file_action", args=[review.pk, search_file.pk]), {"action": "retry"})
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.FAILED  # the same broken file fails the same way


@pytest.fixture
def two_searches(review, people):
    lead = people["lead"]
    scopus = make_search(review, lead, "Scopus")
    embase = make_search(review, lead, "EMBASE")
    import_bytes(scopus, lead, ris(*(record(n) for n in range(30))), "s.ris")
    import_bytes(embase, lead, ris(*(record(n, doi="") for n in range(20, 40))), "e.ris")
    return scopus, embase


def test_the_records_list_filters_and_hides_duplicates_by_default(client_for, review, people, two_searches):
    scopus, embase = two_searches
    client = client_for(people["reviewer"])
    url = reverse("record_list", args=[review.pk])
    assert client.get(url).context["page"].paginator.count == 40
    assert client.get(url, {"duplicates": "show"}).context["page"].paginator.count == 50
    # A unique record kept from Scopus counts as found by EMBASE too.
    assert client.get(url, {"search": embase.pk}).context["page"].paginator.count == 20
    assert client.get(url, {"has_doi": "no"}).context["page"].paginator.count == 10
    assert client.get(url, {"q": "Author7 trial"}).context["page"].paginator.count == 1
    assert client.get(url, {"year_from": 2005, "year_to": 2005}).context["page"].paginator.count == 2


def test_the_records_list_needs_the_same_queries_for_many_records(client_for, review, people, two_searches,
                                                                   django_assert_max_num_queries):
    client = client_for(people["viewer"])
    # 19: the page also loads each record's screening statuses and assignments (one query each for
    # the page), the people its "decided by" and "assigned to" filters offer, and the header's
    # unread notifications; none of it grows with the records.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("record_list", args=[review.pk]), {"duplicates": "show"})
    assert len(response.context["page"].object_list) == 50


def test_the_dashboard_shows_the_stages_with_their_counts(client_for, review, people, two_searches):
    page = client_for(people["lead"]).get(reverse("review_dashboard", args=[review.pk]))
    stages = {s.key: s for s in page.context["stages"]}
    assert [s.key for s in page.context["stages"]][:3] == ["protocol", "searches", "screening"]
    assert dict(stages["searches"].counts)["Records imported"] == 50
    assert dict(stages["screening"].counts)["Records to screen"] == 40


def test_the_lead_corrects_a_search_and_the_change_is_audited(client_for, review, people):
    from reviewapp.models import AuditEvent

    search = make_search(review, people["lead"], reported_hits=120)
    response = client_for(people["lead"]).post(reverse("search_edit", args=[review.pk, search.pk]), {
        "source": "database", "database": search.database, "platform": "Ovid", "date_run": "2021-09-30",
        "query": "(parent* OR mother*) AND infan* AND psychodynamic*", "limits": "1990-2021",
        "reported_hits": "121", "notes": ""})
    assert response.status_code == 302
    search.refresh_from_db()
    assert (search.platform, search.reported_hits) == ("Ovid", 121)
    event = AuditEvent.objects.filter(object_type="screening.Search", action="update").get()
    assert event.before["reported_hits"] == 120 and event.after["reported_hits"] == 121
    assert set(event.changed_fields) == {"platform", "query", "limits", "reported_hits"}
