"""Every page of the site declares who may open it (`reviewapp.page_access`), and every page of a
review answers each person as its declaration says: a sign-in page for the anonymous, 404 for an
outsider, 403 with the reason for a member whose roles (or the named rule) do not allow the
method, and the page itself (200, or a redirect after a POST) for the others.

The declarations are read from the views themselves, so a new page without one fails
`test_every_page_declares_its_rule`, and a page whose body refuses what its declaration allows
(or the reverse) fails the matrix. The review is the API tests' world: one object of each kind.
"""
from __future__ import annotations

import re
from html import escape

import pytest
from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from reviewapp.page_access import PageRule, refusal
from reviewapp.permissions import roles_of
from tests.api.conftest import PEOPLE, _world_snapshot, team, world  # noqa: F401  (the fixtures)

# Outside the pages: the API (its own table, tests/api/test_api_permissions.py) and Django's admin
# (staff only, by Django).
NOT_PAGES = ("api/v1/", "admin/")

# The value of each URL argument: a key of the world's ids, or the text itself.
ARGUMENTS = {"search_id": "search", "file_id": "file", "record_id": "record", "pair_id": "pair",
             "item_id": "conflict", "user_id": "viewer", "study_id": "study", "analysis_id": "analysis",
             "run_id": "run", "outcome_id": "outcome", "invitation_id": "invitation", "webhook_id": "webhook",
             "export_id": "archive", "section_key": "section", "field_key": "field", "stage": "ta",
             "fmt": "csv", "shape": "wide", "kind": "summary", "plot": "forest", "box": "identified",
             "name": "robvis.csv", "number": "review_version"}
# Where one page's argument differs from the table above.
PAGE_ARGUMENTS = {
    "form_builder": {"template_id": "form"}, "form_section_new": {"template_id": "form"},
    "form_section": {"template_id": "form"}, "form_field_new": {"template_id": "form"},
    "form_field": {"template_id": "form"}, "entry_form": {"template_id": "form"},
    "entry_autosave": {"template_id": "form"}, "compare": {"template_id": "form_extraction"},
    "appraisal_compare": {"template_id": "tool_appraisal"},
    "appraisal_figure": {"fmt": "svg"}, "analysis_run_plot": {"fmt": "svg"},
}
DEFAULT_TEMPLATE = "tool"  # appraisal pages

# Pages a person the rules allow still gets a 404 from, for what the world lacks (not for who
# they are): a queued run has no plot nor folder yet, and a record without a full text has none.
NOTHING_THERE = {("analysis_run_plot", "GET"), ("analysis_run_zip", "GET"), ("fulltext", "GET"),
                 ("robvis_download", "GET"), ("prisma_box", "GET"),
                 ("analysis_run_compare", "GET")}  # the world's one run is queued: nothing to compare


def _patterns(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _pages():
    return [(route, entry) for route, entry in _patterns() if not route.startswith(NOT_PAGES)]


def _review_pages():
    return [(route, entry) for route, entry in _pages() if "<int:review_id>" in route]


def test_every_page_declares_its_rule():
    undeclared = [route for route, entry in _pages() if not isinstance(getattr(entry.callback, "page_rule", None),
                                                                       PageRule)]
    assert undeclared == []


def test_every_page_of_a_review_declares_a_review_rule():
    wrong = [route for route, entry in _review_pages() if entry.callback.page_rule.kind != "review"]
    assert wrong == []
    assert len(_review_pages()) > 90  # the walk found the apps' pages


def _url(world, route: str, name: str) -> str:  # noqa: F811
    values = {**ARGUMENTS, "template_id": DEFAULT_TEMPLATE, **PAGE_ARGUMENTS.get(name, {})}

    def value(match: re.Match) -> str:
        key = match.group(1)
        if key == "review_id":
            return str(world.review.pk)
        wanted = values[key]
        return str(world.ids.get(wanted, wanted))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


REVIEW_PAGES = _review_pages()


def _expected_refusal(world, user, rule: PageRule, method: str, url: str) -> str | None:  # noqa: F811
    """What the declaration says this member gets: the method's capability or rule, then the
    page's object rule (e.g. who may see or settle one comparison)."""
    review = world.review
    review.user_roles = roles_of(user=user, review=review)
    reason = refusal(user=user, review=review, need=rule.methods[method])
    if reason is None and rule.obj is not None:
        request = getattr(RequestFactory(), method.lower())(url)
        request.user = user
        reason = rule.obj(request=request, review=review, **resolve(url).kwargs)
    return reason


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "entry"), REVIEW_PAGES, ids=[f"{e.name}" for _, e in REVIEW_PAGES])
def test_each_person_gets_what_the_page_declares(client, world, route, entry):  # noqa: F811
    rule: PageRule = entry.callback.page_rule
    url = _url(world, route, entry.name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse(settings.LOGIN_URL))
    for method in sorted(rule.methods):
        for person in PEOPLE:
            user = world.people[person]
            client.force_login(user)
            with transaction.atomic():  # each person's request is undone before the next one's
                response = getattr(client, method.lower())(url)
                transaction.set_rollback(True)
            status = response.status_code
            assert status < 500, (method, person)
            if person == "outsider":
                assert status == 404, (method, person, status)
                continue
            reason = _expected_refusal(world, user, rule, method, url)
            if reason:
                assert status == 403, (method, person, status)
                assert escape(reason) in response.content.decode(), (method, person)  # the why, in words
            elif (entry.name, method) in NOTHING_THERE:
                assert status in (200, 302, 404), (method, person, status)
            else:
                assert status in (200, 302), (method, person, status)
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "entry"), REVIEW_PAGES[:1], ids=["a page"])
def test_a_method_a_page_does_not_declare_is_refused(client, world, route, entry):  # noqa: F811
    client.force_login(world.people["lead"])
    assert client.delete(_url(world, route, entry.name)).status_code == 405
