"""Every download (records, PRISMA, appendix, extraction and appraisal exports, summary of findings,
RevMan Web, R, a run's files, the archive, the audit CSV) answers a personal API token as the page
answers its person's session: the same status and file for each role, 404 for a token limited to
another review, 401 with the reason for a token the app refuses."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from analysis import services as analysis_services
from analysis.sof.exports import robvis_files
from extraction.demo import demo_answers
from extraction.models import FormTemplate
from reviewapp import services as review_services
from screening.models import Record, Study
from screening.services.fulltexts import fulltext_upload
from tests.analysis.conftest import finalise
from tests.api.conftest import PEOPLE

pytestmark = pytest.mark.django_db

# url name -> its arguments after the review's id, from the ids of the world below.
DOWNLOADS = {
    "audit_export": lambda ids: [],
    "review_archive_download": lambda ids: [ids["archive"]],
    "review_version_download": lambda ids: [ids["review_version"]],
    "search_file_download": lambda ids: [ids["file"]],
    "record_export_ris": lambda ids: [],
    "record_export_csv": lambda ids: [],
    "fulltext": lambda ids: [ids["record"]],
    "prisma_svg": lambda ids: [],
    "prisma_png": lambda ids: [],
    "prisma_pdf": lambda ids: [],
    "prisma_csv": lambda ids: [],
    "prisma2020_csv": lambda ids: [],
    "prisma_checklist_csv": lambda ids: [],
    "search_appendix_md": lambda ids: [],
    "search_appendix_csv": lambda ids: [],
    "extraction_export": lambda ids: ["wide", "csv"],
    "extraction_characteristics_download": lambda ids: ["csv"],
    "appraisal_figure": lambda ids: [ids["tool_appraisal_done"], "summary", "svg"],
    "appraisal_export": lambda ids: [],
    "sof_download": lambda ids: ["csv"],
    "report_docx": lambda ids: [],
    "revman_download": lambda ids: [],
    "r_download": lambda ids: [],
    "robvis_download": lambda ids: [ids["robvis"]],
    "analysis_run_zip": lambda ids: [ids["run"]],
    "analysis_run_plot": lambda ids: [ids["run"], "forest", "svg"],
}

# A route is a download when it names a file (ends in an extension or a format) or says so; a
# page's progress poll (.json) is not one.
LOOKS_LIKE_A_FILE = re.compile(r"(\.(?!json$)[a-z]+|\.<str:\w+>|download/|fulltext/|exports/<str:name>)$")


def _review_routes(resolver=None, prefix=""):
    """(route, url name, view) of every page under /reviews/<review_id>/."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _review_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("reviews/<int:review_id>/"):
            yield route, entry.name, entry.callback


def test_every_download_route_takes_a_token_and_is_checked_here():
    files = {name for route, name, _ in _review_routes() if LOOKS_LIKE_A_FILE.search(route)}
    takes_token = {name for _, name, view in _review_routes() if getattr(view, "accepts_token", False)}
    assert files == takes_token == set(DOWNLOADS)


@pytest.fixture
def downloads(world, django_capture_on_commit_callbacks):
    """The API world with a file behind every download: a full text, and a finished run of its
    analysis over six studies with final extractions."""
    review, lead = world.review, world.people["lead"]
    fulltext_upload(actor=lead, record=Record.objects.get(pk=world.ids["record"]),
                    upload=b"%PDF-1.4\n% a tiny full text\n", filename="trial.pdf")
    template = FormTemplate.objects.get(pk=world.ids["form"])
    for index in range(6):
        study = Study.objects.create(review=review, label=f"Synthetic {index:02d}")
        finalise(template, study, demo_answers(study, index, ["Parental depression"]))
    run = analysis_services.analysis_run_execute(run_id=world.ids["run"])
    assert run.status == "done", run.error
    world.ids["robvis"] = next(iter(robvis_files(review=review)))
    world.read_tokens = {name: review_services.api_token_create(user=world.people[name], name="downloads",
                                                                scope="read")[1] for name in PEOPLE}
    return world


def _urls(world):
    for name, args in DOWNLOADS.items():
        yield name, reverse(name, args=[world.review.pk, *args(world.ids)])


@pytest.fixture
def anonymous():
    """A client with no session: only the token it sends says who it is."""
    return Client()


def _answer(response) -> tuple:
    """What a client gets; of a ZIP the names it holds and of a PDF its header, as both carry
    the second they were written."""
    body = b""
    if response.status_code == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        body = sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())
    elif body.startswith(b"%PDF-"):
        body = body[:8]
    return response.status_code, response.get("Content-Type"), response.get("Content-Disposition"), body


def test_a_read_token_downloads_what_its_person_downloads_on_the_page(downloads, client, anonymous):
    differences, lead_gets = [], {}
    for person in PEOPLE:
        client.force_login(downloads.people[person])
        for name, url in _urls(downloads):
            by_session = _answer(client.get(url))
            by_token = _answer(anonymous.get(url, HTTP_AUTHORIZATION=f"Token {downloads.read_tokens[person]}"))
            if by_token != by_session:
                differences.append(f"{name} as {person}: token {by_token[:3]}, session {by_session[:3]}")
            if person == "lead":
                lead_gets[name] = by_token[0]
    assert differences == []
    # Something to download behind every route, and the roles still count: the audit is the lead's.
    assert set(lead_gets.values()) == {200}, lead_gets
    viewer = anonymous.get(reverse("audit_export", args=[downloads.review.pk]),
                                HTTP_AUTHORIZATION=f"Token {downloads.read_tokens['viewer']}")
    assert viewer.status_code == 403
    outsider = anonymous.get(reverse("prisma_csv", args=[downloads.review.pk]),
                                  HTTP_AUTHORIZATION=f"Token {downloads.read_tokens['outsider']}")
    assert outsider.status_code == 404


def test_a_token_limited_to_another_review_downloads_nothing_here(downloads, anonymous):
    lead = downloads.people["lead"]
    elsewhere = review_services.review_create(creator=lead, title="Another review")
    _, key = review_services.api_token_create(user=lead, name="the other review", scope="read", review=elsewhere)
    answers = {name: anonymous.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code
               for name, url in _urls(downloads)}
    assert set(answers.values()) == {404}, answers


def test_a_refused_token_answers_401_with_the_reason_and_no_file(downloads, anonymous):
    lead = downloads.people["lead"]
    token, key = review_services.api_token_create(user=lead, name="soon revoked", scope="read")
    review_services.api_token_revoke(user=lead, token_id=token.pk)
    url = reverse("record_export_ris", args=[downloads.review.pk])
    for header, reason in ((f"Token {key}", "revoked"), ("Token rm_not-a-key", "Unknown API token"),
                           ("Token two words", "Authorization: Token <key>")):
        response = anonymous.get(url, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401 and reason in response.content.decode()
        assert response["WWW-Authenticate"] == "Token"


def test_without_a_token_a_download_still_asks_to_sign_in(downloads, anonymous):
    response = anonymous.get(reverse("record_export_ris", args=[downloads.review.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_token_does_not_sign_a_form_post(downloads, anonymous):
    """Tokens open downloads only: a POST to a page that shares a download's view is the session's."""
    response = anonymous.post(reverse("prisma_checklist_csv", args=[downloads.review.pk]), {},
                                   HTTP_AUTHORIZATION=f"Token {downloads.tokens['lead']}")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
