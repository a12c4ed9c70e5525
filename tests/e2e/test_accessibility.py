"""axe-core finds no accessibility violation on any page of the demo review, for any role.

Every page URL the app has (the same walk as the Content-Security-Policy test, so a page added
to the app is checked without touching this file) is opened by each demo role, by an outsider
and signed out; every page that answers with HTML is checked in Chromium by axe-core against
WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (content outside landmarks, heading
order, empty table headers and duplicate landmarks are best-practice rules, and they matter to a
screen-reader user as much as the others). A failure names page, role, rule and element.

One test per person, so that xdist spreads them over its workers; the demo is built once per
run and copied into each test's database (see ``demo_paths``). Within one person's walk, pages whose HTML is
the same (but for the CSRF token) are checked once: axe would find the same thing twice.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from reviewapp.demo import DEMO_PASSWORD
from tests.e2e.test_content_security_policy import UNFILLABLE, _demo_kwargs, _every_route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
         "resultTypes": ["violations"], "reporter": "no-passes"}
# The demo's people, one per role, then someone with no part in the review, then nobody.
PEOPLE = ["lead", "reviewer1", "extractor", "viewer", "outsider", None]
# Pages each walk finds at least (distinct pages; refusals count once per status).
MINIMUM_PAGES = {"lead": 60, "outsider": 2, None: 1}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"csrfToken": *"[^"]*"')


def _fillable_paths(common, appraisal_routes) -> list[str]:
    paths = []
    for pattern, route in _every_route():
        wanted = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        values = {**common, **(appraisal_routes if pattern.name.startswith("appraisal") else {})}
        if pattern.name in UNFILLABLE or not wanted <= set(values):
            continue
        paths.append(reverse(pattern.name, kwargs={k: values[k] for k in wanted}))
    return paths


def _html_pages(client, user, paths) -> dict[str, str]:
    """path -> a fingerprint of its HTML, for the paths that answer this person with a whole page.

    A refusal (403, 404) is the error page, the same for every path but for its reason: one of
    each is enough."""
    client.logout()
    if user is not None:
        client.force_login(user)
    pages, errors = {}, {}
    for path in paths:
        answer = client.get(path)
        if answer.status_code not in (200, 403, 404) or answer.streaming or answer.get("Content-Disposition") \
                or not answer.get("Content-Type", "").startswith("text/html"):
            continue
        text = answer.content.decode()
        if not text.lstrip().lower().startswith("<!doctype html>"):
            continue  # a fragment a page fetches into itself (checked in that page)
        if answer.status_code != 200:
            errors.setdefault(answer.status_code, path)
            continue
        text = CSRF.sub("", text)
        if user is not None:
            text = text.replace(user.get_full_name(), "").replace(user.get_username(), "")
        pages[path] = hashlib.sha256(text.encode()).hexdigest()
    return pages | {path: f"error {status}" for status, path in errors.items()}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _describe(path: str, who: str, violation: dict) -> list[str]:
    return [f"{path} as {who}: {violation['id']} ({violation['impact']}) {violation['help']}: "
            f"{' > '.join(map(str, node['target']))} {node['html'][:160]}"
            for node in violation["nodes"]]


@pytest.fixture
def demo_paths(loaded_demo):
    """The demo review (built once per run and copied into each test's database: tests/snapshots.py),
    someone outside it, and the page paths the demo fills."""
    from django.contrib.auth import get_user_model

    lead = get_user_model().objects.get(username="lead")
    get_user_model().objects.create_user("outsider", "outsider@demo.invalid", DEMO_PASSWORD,
                                         first_name="Olga", last_name="Outsider")
    _, common, appraisal_routes = _demo_kwargs(lead)
    return _fillable_paths(common, appraisal_routes) + [reverse("login")]


@pytest.mark.parametrize("username", PEOPLE, ids=[p or "signed-out" for p in PEOPLE])
def test_no_page_has_an_accessibility_violation(username, demo_paths, live_server, browser, client):
    """One role's walk (one test per role, so that xdist spreads them)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username) if username else None
    first_of: dict[str, str] = {}
    for path, sign in _html_pages(client, user, demo_paths).items():
        first_of.setdefault(sign, path)
    pages = list(first_of.values())
    found: list[str] = []
    axe = Axe()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if username:
            _sign_in(page, live_server.url, username)
        for path in pages:
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            for violation in axe.run(page, options=RULES).response["violations"]:
                found.extend(_describe(path, username or "signed out", violation))
    finally:
        context.close()
    assert found == [], "\n".join(found)
    # The walk found the app's pages: the lead's ones, and a few for those outside the review.
    assert len(pages) >= MINIMUM_PAGES.get(username, 1), (username, len(pages))
