"""The summary of findings rates an outcome in one form: a refused save keeps every choice and reason
typed and says beside each domain what is missing; "accept all proposals" confirms an outcome's (or the
whole table's) proposals, keeps the ratings the lead changed, and is audited; the API does the same
through the same services."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from analysis import grade
from analysis.sof import selectors as sof_selectors
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from tests.analysis.test_sof import OUTCOME, appraised, copied, world_contents  # noqa: F401 (fixtures: the SoF world, built once)
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db
OTHER = "Parental depression"


def _row(review, name):
    return next(r for r in sof_selectors.sof_rows(review=review) if r.outcome.name == name)


def _differing(row, domain: str) -> int:
    """A rating other than the proposal, in the domain's range."""
    proposal = next(d for d in row.domains if d.domain == domain).proposal.change
    options = (0, 1, 2) if domain in grade.UP else (0, -1, -2)
    return next(x for x in options if x != proposal)


def _selected(page: str, select_id: str) -> str:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="(-?\d)" selected>', select).group(1)


def test_one_form_per_outcome_and_a_refused_save_keeps_what_was_chosen(client_for, review, people, outcomes,
                                                                      appraised):  # noqa: F811
    client = client_for(people["lead"])
    page = client.get(reverse("sof", args=[review.pk])).content.decode()
    assert page.count('class="rating-form"') == 2  # the two outcomes with a finished run, not 2 x 8 forms
    row, pk = _row(review, OUTCOME), outcomes[OUTCOME].pk
    inconsistency, indirectness = _differing(row, "inconsistency"), _differing(row, "indirectness")
    posted = {f"change-{d.domain}": d.change for d in row.domains}
    posted.update({"change-inconsistency": inconsistency, "reason-inconsistency": "",
                   "change-indirectness": indirectness, "reason-indirectness": "Fathers were not studied"})
    response = client.post(reverse("sof_ratings", args=[review.pk, pk]), posted)
    page = response.content.decode()
    assert response.status_code == 200 and "Not saved" in page
    # The choices come back as chosen (not as the proposal), the reason typed too, the problem beside it.
    assert _selected(page, f"chg-{pk}-inconsistency") == str(inconsistency)
    assert _selected(page, f"chg-{pk}-indirectness") == str(indirectness)
    assert 'value="Fathers were not studied"' in page
    error = re.search(rf'id="err-{pk}-inconsistency">([^<]*)<', page).group(1)
    assert error.startswith("Inconsistency: give a reason for rating it") and "the data propose" in error
    assert f"err-{pk}-indirectness" not in page
    assert _row(review, OUTCOME).assessment is None  # nothing stored

    posted["reason-inconsistency"] = "Effects point both ways"
    client.post(reverse("sof_ratings", args=[review.pk, pk]), posted)
    ratings = _row(review, OUTCOME).assessment.ratings
    # Stored: the two domains the lead changed; the proposals left alone stay to be confirmed.
    assert set(ratings) == {"inconsistency", "indirectness"}
    assert ratings["indirectness"]["reason"] == "Fathers were not studied"


def test_accepting_all_proposals_keeps_the_leads_changes_and_is_audited(client_for, review, people, outcomes,
                                                                       appraised):  # noqa: F811
    client = client_for(people["lead"])
    row, pk = _row(review, OUTCOME), outcomes[OUTCOME].pk
    changed = _differing(row, "indirectness")
    client.post(reverse("sof_ratings", args=[review.pk, pk]),
                {"change-indirectness": changed, "reason-indirectness": "Fathers were not studied"})
    events = AuditEvent.objects.filter(object_type="analysis.GradeAssessment").count()
    client.post(reverse("sof_ratings", args=[review.pk, pk]), {"action": "accept"})
    row = _row(review, OUTCOME)
    assert all(d.rating is not None for d in row.domains)
    assert {d.domain for d in row.domains if d.changed_by_lead} == {"indirectness"}
    assert all(d.rating["change"] == d.proposal.change for d in row.domains if d.domain != "indirectness")
    assert _row(review, OTHER).assessment is None  # the other outcome is untouched
    assert AuditEvent.objects.filter(object_type="analysis.GradeAssessment").count() == events + 1

    page = client.post(reverse("sof_accept_all", args=[review.pk]), follow=True).content.decode()
    assert "proposals accepted" in page
    assert all(d.rating is not None for d in _row(review, OTHER).domains)
    assert _row(review, OUTCOME).assessment.ratings["indirectness"]["change"] == changed
    assert "Accept all proposals in the table" not in page  # nothing left to confirm


def test_the_api_rates_an_outcome_and_accepts_proposals_as_the_page_does(client, review, people, outcomes,
                                                                        appraised):  # noqa: F811
    token = auth(review_services.api_token_create(user=people["lead"], name="t", scope="read-write")[1])
    row, pk = _row(review, OUTCOME), outcomes[OUTCOME].pk
    url = reverse("api_sof_ratings", args=[review.pk, pk])
    bad = {"inconsistency": {"change": _differing(row, "inconsistency")},
           "indirectness": {"change": _differing(row, "indirectness"), "reason": ""}}
    response = client.put(url, data={"ratings": bad}, content_type="application/json", **token)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ratings.inconsistency", "ratings.indirectness"}
    assert _row(review, OUTCOME).assessment is None
    bad["inconsistency"]["reason"] = bad["indirectness"]["reason"] = "Checked by hand"
    response = client.put(url, data={"ratings": bad}, content_type="application/json", **token)
    assert response.status_code == 200 and response.json()["ratings"]["inconsistency"]["reason"] == "Checked by hand"
    accepted = client.post(reverse("api_sof_accept_all", args=[review.pk]), **token).json()["accepted"]
    assert accepted == 2 * len(grade.DOMAINS) - 2
    reader = auth(review_services.api_token_create(user=people["viewer"], name="t", scope="read")[1])
    assert client.post(reverse("api_sof_accept", args=[review.pk, pk]), **reader).status_code == 403
