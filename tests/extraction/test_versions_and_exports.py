"""Changing a published form never drops an answer; exports carry the consensus."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from extraction import exports, services
from extraction.models import Entry, Extraction
from reviewapp.exceptions import ApplicationError
from tests.extraction.conftest import BASE, posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_form(review, people, outcomes):
    lead = people["lead"]
    template = services.template_create(actor=lead, review=review, name="Small form")
    services.draft_section_save(actor=lead, template=template, section_key=None, title="Study")
    for label, kind, choices in (("Design", "single", ["RCT", "Pre-post"]), ("Age", "integer", []),
                                 ("Country", "country", []), ("Blinding", "text", [])):
        services.draft_field_save(actor=lead, template=template, section_key="study", field_key=None,
                                  label=label, type=kind, choices=choices)
    services.draft_section_save(actor=lead, template=template, section_key=None, title="Arms", repeat="Arm")
    services.draft_field_save(actor=lead, template=template, section_key="arms", field_key=None,
                              label="Name", type="text")
    services.version_publish(actor=lead, template=template)
    return template


def test_publishing_carries_unchanged_fields_and_keeps_the_rest_as_from_an_earlier_version(
        small_form, studies, extractors, people):
    lead = people["lead"]
    data = {"f-design": "RCT", "f-age": "7", "f-country": "Norway", "f-blinding": "open",
            "r-arms-0-name": "PIP", "r-arms-1-name": "TAU"}
    entry = services.entry_save(actor=extractors[0], template=small_form, study=studies[0],
                                answers=posted(small_form, **data)).entry
    # rename a field (its key stays), remove one, change one's type, drop a choice in use
    services.draft_field_save(actor=lead, template=small_form, section_key="study", field_key="country",
                              label="Country of the study", type="country")
    services.draft_item_delete(actor=lead, template=small_form, section_key="study", field_key="blinding")
    services.draft_field_save(actor=lead, template=small_form, section_key="study", field_key="age",
                              label="Age", type="text")
    services.draft_field_save(actor=lead, template=small_form, section_key="study", field_key="design",
                              label="Design", type="single", choices=["Randomised", "Pre-post"])
    version = services.version_publish(actor=lead, template=small_form, note="clearer designs")
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.version == version and version.number == 2
    assert entry.answers == {"country": "Norway", "arms": [{"name": "PIP"}, {"name": "TAU"}]}
    assert {path: r["value"] for path, r in entry.retired.items()} == {"blinding": "open", "age": 7, "design": "RCT"}
    assert entry.retired["design"]["version"] == 1


def test_a_new_field_never_takes_a_removed_fields_key(small_form, people):
    lead = people["lead"]
    services.draft_item_delete(actor=lead, template=small_form, section_key="study", field_key="blinding")
    field = services.draft_field_save(actor=lead, template=small_form, section_key="study", field_key=None,
                                      label="Blinding", type="ynu")
    assert field["key"] == "blinding_2"


def test_nothing_to_publish_and_a_bad_definition_are_refused(small_form, people):
    with pytest.raises(ApplicationError, match="nothing to publish"):
        services.version_publish(actor=people["lead"], template=small_form)
    with pytest.raises(ApplicationError, match="at least two choices"):
        services.draft_field_save(actor=people["lead"], template=small_form, section_key="study", field_key=None,
                                  label="Sex", type="single", choices=["Female"])


def test_a_section_cannot_switch_between_plain_and_repeating_once_published(small_form, people):
    with pytest.raises(ApplicationError, match="cannot switch"):
        services.draft_section_save(actor=people["lead"], template=small_form, section_key="study",
                                    title="Study", repeat="Row")


def _consensus(builtin, study, extractors, lead, **values):
    for user in extractors:
        result = services.entry_save(actor=user, template=builtin, study=study, done=True,
                                     answers=posted(builtin, **{**BASE, **values}))
        assert result.saved, result.errors
    return services.consensus_finalise(actor=lead, extraction=Extraction.objects.get(study=study))


OUTCOME_ROW = {
    "r-outcome_data-0-outcome": "Parental depression", "r-outcome_data-0-instrument": "EPDS",
    "r-outcome_data-0-higher_is_better": "No", "r-outcome_data-0-timepoint": "post-treatment",
    "r-outcome_data-0-data_type": "Means (two groups)", "r-outcome_data-0-i_arm": "Minding the Baby",
    "r-outcome_data-0-c_arm": "Usual care", "r-outcome_data-0-i_n": "40", "r-outcome_data-0-i_mean": "9",
    "r-outcome_data-0-i_sd": "4", "r-outcome_data-0-c_n": "42", "r-outcome_data-0-c_mean": "12",
    "r-outcome_data-0-c_sd": "5",
}


def test_exports_wide_and_long_hold_the_consensus(builtin, studies, extractors, people):
    _consensus(builtin, studies[0], extractors, people["lead"], **OUTCOME_ROW)
    _consensus(builtin, studies[1], extractors, people["lead"], **{"f-format": "Group"})
    wide = pd.read_csv(io.BytesIO(exports.write_table(exports.wide_frame(template=builtin), "csv")))
    assert list(wide["study"]) == [studies[0].label, studies[1].label]
    assert list(wide["format"]) == ["Individual", "Group"]
    assert wide.loc[0, "setting"] == "Home; Clinic" and wide.loc[0, "arms_2_name"] == "Usual care"
    long = pd.read_csv(io.BytesIO(exports.write_table(exports.long_frame(template=builtin), "csv")))
    assert list(long["arm_role"]) == ["intervention", "comparator"]
    assert list(long["mean"]) == [9, 12] and list(long["n"]) == [40, 42]
    assert long.loc[0, "measure"] == "SMD" and long.loc[0, "yi"] < 0
    book = openpyxl.load_workbook(io.BytesIO(exports.write_table(exports.long_frame(template=builtin), "xlsx")))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["study", "result", "outcome"]
    assert sheet.max_row == 3


def test_the_extractor_sees_answers_from_an_earlier_version_beside_the_form(small_form, studies, extractors, people,
                                                                           client_for):
    from django.urls import reverse

    services.entry_save(actor=extractors[0], template=small_form, study=studies[0],
                        answers=posted(small_form, **{"f-blinding": "assessors blinded"}))
    services.draft_item_delete(actor=people["lead"], template=small_form, section_key="study", field_key="blinding")
    services.version_publish(actor=people["lead"], template=small_form)
    page = client_for(extractors[0]).get(reverse("entry_form", args=[small_form.review_id, small_form.pk,
                                                                     studies[0].pk])).content.decode()
    assert "Answers from an earlier version of the form (1)" in page
    assert "Study · Blinding" in page and "assessors blinded" in page
