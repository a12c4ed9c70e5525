"""The entry services take answers as data (the shape entries store), not the page's input names:
the page turns its post into answers and puts the problems back beside its inputs; a program's
JSON goes straight in. Every problem comes back in one round, by answer path."""
from __future__ import annotations

import pytest
from django.urls import reverse

from extraction import services
from extraction.entry_post import answers_from_post
from extraction.models import Entry
from tests.extraction.conftest import BASE, answers_post

pytestmark = pytest.mark.django_db

OUTCOME_ROW = {"outcome": "Parental depression", "instrument": "EPDS", "data_type": "Means (two groups)"}


def test_answers_as_data_are_saved_with_their_types(builtin, studies, extractors):
    answers = {"design": "Randomised controlled trial", "setting": ["Clinic", "Home"], "n_caregivers": 105,
               "arms": [{"name": "Minding the Baby", "role": "Intervention"},
                        {"name": "Usual care", "role": "Comparator"}]}
    result = services.entry_save(actor=extractors[0], template=builtin, study=studies[0], answers=answers)
    assert result.saved, result.errors
    saved = Entry.objects.get(pk=result.entry.pk).answers
    assert saved["n_caregivers"] == 105 and saved["setting"] == ["Home", "Clinic"]  # the form's order of choices
    assert [a["role"] for a in saved["arms"]] == ["Intervention", "Comparator"]


def test_every_problem_of_the_answers_comes_back_at_once_by_path(builtin, studies, extractors):
    """A wrong shape, an unknown field, a value that is no number and an impossible SD: all four in one
    refusal, each at its answer's path, and nothing saved (not even a draft: a program sends again)."""
    answers = {"design": ["Randomised controlled trial"], "no_such_field": 1, "n_caregivers": "twelve",
               "outcome_data": [{**OUTCOME_ROW, "i_sd": -1}]}
    result = services.entry_save(actor=extractors[0], template=builtin, study=studies[0], answers=answers)
    assert not result.saved
    assert result.errors == {
        "answers.design": "Design: one value expected, not a list.",
        "answers.no_such_field": "No such field in the form.",
        "answers.n_caregivers": "Number of caregivers: whole number expected.",
        "answers.outcome_data.0.i_sd": result.errors["answers.outcome_data.0.i_sd"],
    }
    assert "SD must be greater than 0" in result.errors["answers.outcome_data.0.i_sd"]
    entry = Entry.objects.get(pk=result.entry.pk)
    assert entry.answers == {} and entry.draft is None


def test_the_page_post_becomes_answers_and_its_rows_keep_their_inputs(builtin):
    """Removed and empty rows are left out, and each kept row's answers point back to the inputs the
    person typed in (row 2 of the page is the first arm kept)."""
    post = answers_post(**{**BASE, "r-arms-0-_remove": "1", "r-arms-1-name": " ", "r-arms-1-role": "",
                           "r-arms-2-name": "Attention control", "r-arms-2-role": "Comparator"})
    posted = answers_from_post(builtin.current_version.definition, post)
    assert posted.answers["arms"] == [{"name": "Attention control", "role": "Comparator"}]
    assert posted.answers["setting"] == ["Home", "Clinic"] and posted.answers["n_caregivers"] == "105"
    assert posted.input_errors({"answers.arms.0.name": "x", "answers.n_caregivers": "y", "__all__": "z"}) == {
        "r-arms-2-name": "x", "f-n_caregivers": "y", "__all__": "z"}


def test_the_entry_page_shows_each_problem_beside_its_input(client_for, review, builtin, studies, extractors):
    client = client_for(extractors[0])
    url = reverse("entry_form", args=[review.pk, builtin.pk, studies[0].pk])
    row = {f"r-outcome_data-3-{key}": value for key, value in {**OUTCOME_ROW, "i_sd": "-1"}.items()}
    response = client.post(url, {**BASE, **row, "f-n_caregivers": "twelve", "r-arms-0-_remove": "1",
                                 "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200 and "Not saved" in page
    assert 'href="#id_f-n_caregivers"' in page and 'href="#id_r-outcome_data-3-i_sd"' in page
    assert "SD must be greater than 0" in page and "whole number expected" in page
