"""A custom tool's questions keep their keys through its versions: inserting, moving and deleting
questions never hands an answer already given to another question, a deleted question's key is never
reused by a new one, and a question written again gets its old key (and answers) back."""
from __future__ import annotations

import pytest
from django.urls import reverse

from extraction.appraisal import services, tools

pytestmark = pytest.mark.django_db

V1 = "Sample\n- Representative?\n- Enrolled all?\n- Follow-up complete?\nAnalysis\n- Tests?"
# A question inserted first, "Enrolled all?" moved to the other domain, "Follow-up complete?" deleted.
V2 = "Sample\n- Consent recorded?\n- Representative?\nAnalysis\n- Tests?\n- Enrolled all?"
# The deleted question back, spelt with other spacing and case, and one more new question.
V3 = ("Sample\n- Consent recorded?\n- Representative?\n- follow-up   complete?\n"
      "Analysis\n- Tests?\n- Enrolled all?\n- Blinded?")


def save_tool(review, lead, text, template=None):
    return services.custom_tool_save(actor=lead, review=review, template=template, name="Checklist", level="study",
                                     answers=["Yes", "No"], scale=["Good", "Poor"], domains_text=text)


def texts(template, number=None) -> dict[str, str]:
    version = template.versions.get(number=number) if number else template.current_version
    return {q["key"]: q["text"] for d in tools.tool_of(version.definition)["domains"] for q in d["questions"]}


def test_each_answer_stays_with_its_question_through_insert_move_and_delete(client_for, review, people, studies,
                                                                          extractors):
    lead, (a, b) = people["lead"], extractors
    template = save_tool(review, lead, V1)
    v1 = texts(template)
    given = {key: ("Yes" if n % 2 else "No") for n, key in enumerate(v1)}
    result = services.appraisal_save(actor=a, template=template, study=studies[0], target="", done=False,
                                     answers=dict(given))
    assert result.saved
    answered = {v1[key]: value for key, value in given.items()}  # question text -> the answer given

    save_tool(review, lead, V2, template)
    v2 = texts(template)
    for key, text in v2.items():
        assert key not in v1 or v1[key] == text  # a key names the same question in every version
    assert {v2[k]: given[k] for k in given if k in v2} == {t: answered[t] for t in ("Representative?",
                                                                                   "Enrolled all?", "Tests?")}
    new_key = next(k for k, t in v2.items() if t == "Consent recorded?")
    assert new_key not in v1

    save_tool(review, lead, V3, template)
    v3 = texts(template)
    follow_up = next(k for k, t in v1.items() if t == "Follow-up complete?")
    assert " ".join(v3[follow_up].split()) == "follow-up complete?"  # its old key, back again
    blinded = next(k for k, t in v3.items() if t == "Blinded?")
    assert blinded not in v1 and blinded not in v2

    # A second appraiser joining the first's appraisal answers the questions of the version it began with.
    page = reverse("appraisal_entry", args=[review.pk, template.pk, studies[0].pk])
    shown = client_for(b).get(page).content.decode()
    assert "Follow-up complete?" in shown and "Consent recorded?" not in shown


def test_a_first_version_keeps_the_positional_keys(review, people):
    template = save_tool(review, people["lead"], V1)
    assert list(texts(template)) == ["q1_1", "q1_2", "q1_3", "q2_1"]
