"""A refused entry names every problem at once, each beside its field: values that are no number,
impossible values among the rest (n = 0, a negative SD) and, when marking done, each required
answer still missing. Nothing waits for a second round, on the page or in the API."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from extraction.models import Entry
from reviewapp import services as review_services
from tests.api.conftest import auth
from tests.extraction.conftest import BASE
from tests.extraction.test_versions_and_exports import OUTCOME_ROW

pytestmark = pytest.mark.django_db

ROW = "r-outcome_data-0-"
FIVE_PROBLEMS = {f"{ROW}i_mean": "nine", f"{ROW}c_mean": "twelve", f"{ROW}c_sd": "five",
                 f"{ROW}i_n": "0", f"{ROW}i_sd": "-4"}


def field_error(page: str, name: str) -> str:
    """The message shown inside the field's own block, or ''."""
    block = re.search(rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}".*?</div>\s*(?=<div class='
                      rf'"field|</div>|$)', page, re.S)
    assert block, f"no field {name}"
    found = re.search(r'<div class="errorlist" role="alert">([^<]*)</div>', block.group(0))
    return found.group(1) if found else ""


def test_the_page_reports_five_problems_in_one_round_beside_their_fields(client_for, review, builtin, studies,
                                                                        extractors):
    client = client_for(extractors[0])
    response = client.post(reverse("entry_form", args=[review.pk, builtin.pk, studies[0].pk]),
                           {**BASE, **OUTCOME_ROW, **FIVE_PROBLEMS, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200 and "Not saved" in page
    messages = {name: field_error(page, name) for name in FIVE_PROBLEMS}
    assert "number expected" in messages[f"{ROW}i_mean"] and "number expected" in messages[f"{ROW}c_mean"]
    assert "number expected" in messages[f"{ROW}c_sd"]
    assert "n must be at least 1" in messages[f"{ROW}i_n"]
    assert "SD must be greater than 0" in messages[f"{ROW}i_sd"]
    # What was typed comes back, wrong values included, and nothing was saved.
    assert 'value="nine"' in page and 'value="-4"' in page
    assert Entry.objects.get(user=extractors[0]).answers == {}


def test_marking_done_also_names_each_missing_answer_beside_its_field(client_for, review, builtin, studies,
                                                                     extractors):
    client = client_for(extractors[0])
    posted = {**BASE, **OUTCOME_ROW, f"{ROW}i_n": "0", "f-design": "", "action": "done"}
    page = client.post(reverse("entry_form", args=[review.pk, builtin.pk, studies[0].pk]), posted).content.decode()
    assert "n must be at least 1" in field_error(page, f"{ROW}i_n")
    assert "required before marking done" in field_error(page, "f-design")


def test_the_api_lists_every_problem_with_its_path(client, review, people, builtin, studies, extractors):
    token = auth(review_services.api_token_create(user=extractors[0], name="t", scope="read-write")[1])
    row = {"outcome": "Parental depression", "instrument": "EPDS", "higher_is_better": "No", "timepoint": "post",
           "data_type": "Means (two groups)", "i_n": 0, "i_mean": "nine", "i_sd": -4, "c_n": 48, "c_mean": "twelve",
           "c_sd": "five"}
    response = client.put(reverse("api_extraction_entry", args=[review.pk, builtin.pk, studies[0].pk]),
                          data={"answers": {"outcome_data": [row]}, "done": False},
                          content_type="application/json", **token)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) >= {f"answers.outcome_data.0.{key}" for key in ("i_mean", "c_mean", "c_sd", "i_n", "i_sd")}
    assert not Entry.objects.exists()
