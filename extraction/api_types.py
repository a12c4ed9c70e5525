"""The shapes of the JSON extraction keeps (form definitions, appraisal tools, answers, retired
answers, the descriptive summaries and the characteristics table), as serializers and JSON Schema
fragments the OpenAPI document names, so clients read types and choices instead of guessing.
The API answers the stored JSON as it is; these only describe it."""
from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviewapp.api_base import typed_json  # noqa: F401  (the API modules take it from here with the shapes)

from . import characteristics
from . import definition as defs
from .appraisal import tools

_OPTIONAL: dict[str, Any] = {"required": False}
# Named enums of the schema (settings' ENUM_NAME_OVERRIDES point here).
FIELD_TYPE_VALUES = list(defs.FIELD_TYPES)
SECTION_KINDS = ["outcome_data", "rob_domain", "rob_overall"]
SUMMARY_KINDS = ["choice", "number"]

# One answer: a text (also a choice or a date), a number, the choices of a multiple choice, or
# null; a repeating group's answer is a list of rows of these.
VALUE: dict[str, Any] = {"nullable": True, "oneOf": [{"type": "string"}, {"type": "number"},
                                     {"type": "array", "items": {"type": "string"}}]}
ANSWER = {"nullable": True, "oneOf": [*VALUE["oneOf"], {"type": "array", "items": {
    "type": "object", "additionalProperties": VALUE}}]}
ANSWERS = {"type": "object", "additionalProperties": ANSWER,
           "description": "Answers by field key: plain fields' values, each repeating group a list of rows."}


@extend_schema_field(ANSWER)
class AnswerField(serializers.JSONField):
    """One field's answer (see ANSWER)."""


@extend_schema_field({**ANSWERS, "nullable": True})
class NullableAnswersField(serializers.JSONField):
    """Answers by field key, or null."""


@extend_schema_field({"type": "object", "additionalProperties": VALUE,
                      "description": "Every value of the row by field key."})
class RowValuesField(serializers.JSONField):
    """One row of a repeating group: its values by field key."""


# ---------------------------------------------------------------- form definitions

class FieldDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable: made once from the label; answers are keyed by it.")
    label = serializers.CharField(**_OPTIONAL)
    type = serializers.ChoiceField(choices=FIELD_TYPE_VALUES, help_text=", ".join(
        f"{key}: {label}" for key, label in defs.FIELD_TYPES.items()))
    required = serializers.BooleanField(**_OPTIONAL, help_text="Needed to mark an entry done.")
    help = serializers.CharField(allow_blank=True, **_OPTIONAL)
    choices = serializers.ListField(child=serializers.CharField(), **_OPTIONAL,
                                    help_text="For single and multiple choice (yes/no/unclear and country have "
                                              "their own).")
    choices_from = serializers.ChoiceField(choices=["", "outcomes"], allow_blank=True, **_OPTIONAL,
                                           help_text="“outcomes”: the choices are the review's outcomes' names.")
    min = serializers.FloatField(allow_null=True, **_OPTIONAL)
    max = serializers.FloatField(allow_null=True, **_OPTIONAL)
    unit = serializers.CharField(allow_blank=True, **_OPTIONAL)
    derived = serializers.BooleanField(**_OPTIONAL, help_text="Filled by the application (an algorithm's "
                                                              "proposal), never by a person.")
    merge = serializers.BooleanField(**_OPTIONAL, help_text="A free text the consensus keeps from both entries.")


class SectionDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(allow_blank=True, **_OPTIONAL)
    help = serializers.CharField(allow_blank=True, **_OPTIONAL)
    repeat = serializers.CharField(allow_blank=True, **_OPTIONAL,
                                   help_text="A repeating group's row label (e.g. “Arm”); empty for a plain section.")
    kind = serializers.ChoiceField(choices=SECTION_KINDS, allow_blank=True,
                                   **_OPTIONAL, help_text="outcome_data: the outcome data analyses pool.")
    fields = FieldDefinitionSerializer(many=True)


class AlgorithmSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The published algorithm that proposes the judgement.")
    version = serializers.CharField(**_OPTIONAL)


class ToolQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    id = serializers.CharField(allow_blank=True, **_OPTIONAL, help_text="The tool's own number, e.g. 1.1.")
    text = serializers.CharField()
    na = serializers.BooleanField(**_OPTIONAL, help_text="Not applicable is an allowed answer.")


class ToolDomainSerializer(serializers.Serializer):
    key = serializers.CharField()
    short = serializers.CharField(allow_blank=True, **_OPTIONAL)
    title = serializers.CharField()
    effect = serializers.ChoiceField(choices=["", *tools.EFFECTS], allow_blank=True, **_OPTIONAL,
                                     help_text="Set: the domain applies only to that effect of interest.")
    stage = serializers.CharField(allow_blank=True, **_OPTIONAL)
    algorithm = AlgorithmSerializer(allow_null=True, **_OPTIONAL)
    questions = ToolQuestionSerializer(many=True)


class ToolOverallSerializer(serializers.Serializer):
    algorithm = AlgorithmSerializer(allow_null=True, **_OPTIONAL)


class ToolDefinitionSerializer(serializers.Serializer):
    """An appraisal tool: its domains with their signalling questions, the answer options and the
    judgement scale."""

    slug = serializers.CharField()
    version = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField(allow_blank=True, **_OPTIONAL)
    level = serializers.ChoiceField(choices=list(tools.LEVELS), **_OPTIONAL,
                                    help_text="result: appraised per outcome and effect; study: once per study.")
    effects = serializers.ListField(child=serializers.ChoiceField(choices=list(tools.EFFECTS.items())), **_OPTIONAL)
    custom = serializers.BooleanField(**_OPTIONAL)
    answers = serializers.ListField(child=serializers.CharField(), help_text="The answer options (e.g. Y, PY, ...).")
    answer_labels = serializers.DictField(child=serializers.CharField(), **_OPTIONAL,
                                          help_text="Answer option -> its words.")
    scale = serializers.ListField(child=serializers.CharField(), help_text="The judgement levels, best first.")
    high_risk_from = serializers.CharField(
        allow_blank=True, **_OPTIONAL, help_text="The level of the scale from which a judgement counts as high "
                                                 "risk; empty or absent: the worse half of the scale.")
    no_information = serializers.CharField(allow_blank=True, **_OPTIONAL)
    overall = ToolOverallSerializer(**_OPTIONAL)
    domains = ToolDomainSerializer(many=True)


class FormDefinitionSerializer(serializers.Serializer):
    """A form: its sections, each with its fields; a repeating section takes a list of rows. An
    appraisal tool's form also carries the tool under `appraisal`."""

    sections = SectionDefinitionSerializer(many=True)
    appraisal = ToolDefinitionSerializer(**_OPTIONAL)


class RetiredAnswerSerializer(serializers.Serializer):
    value = AnswerField()
    label = serializers.CharField(help_text="The field's label in the version that had it.")
    version = serializers.IntegerField(help_text="The version the answer was given on.")


@extend_schema_field(serializers.DictField(child=RetiredAnswerSerializer(), allow_null=True,
                                           help_text="Path (field key, or group.row.field) -> the retired answer."))
class RetiredAnswersField(serializers.JSONField):
    """Answers of fields a later version removed or changed, by path (null where none can be shown)."""


class JsonSchemaDocumentSerializer(serializers.Serializer):
    """A JSON Schema (2020-12) document of an entry's answers: an object whose properties are the
    form's field keys (each repeating group an array of row objects)."""

    def get_fields(self):
        return {
            "$schema": serializers.CharField(help_text="The JSON Schema dialect."),
            "title": serializers.CharField(),
            "type": serializers.ChoiceField(choices=["object"]),
            "additionalProperties": serializers.BooleanField(help_text="False: only the form's fields."),
            "properties": serializers.DictField(child=serializers.DictField(),
                                                help_text="Field key -> the JSON Schema of its answer (with "
                                                          "`x-unit` and `x-field-type`)."),
            "x-required-when-done": serializers.ListField(child=serializers.CharField(),
                                                          help_text="Fields needed to mark an entry done."),
        }


# ---------------------------------------------------------------- summaries and characteristics

class StudyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()


class ValueCountSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField()
    studies = StudyRefSerializer(many=True)


class FieldSummarySerializer(serializers.Serializer):
    """A choice field: the count per value (`values`); a number field: n, sum, mean, median, min, max."""

    key = serializers.CharField(help_text="The field's key (group.field inside a repeating group).")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=SUMMARY_KINDS)
    multiple = serializers.BooleanField()
    studies = serializers.IntegerField(help_text="Studies described.")
    missing = serializers.IntegerField()
    missing_studies = StudyRefSerializer(many=True)
    values = ValueCountSerializer(many=True, **_OPTIONAL)
    unit = serializers.CharField(allow_blank=True, **_OPTIONAL)
    n = serializers.IntegerField(**_OPTIONAL)
    sum = serializers.FloatField(allow_null=True, **_OPTIONAL)
    mean = serializers.FloatField(allow_null=True, **_OPTIONAL)
    median = serializers.FloatField(allow_null=True, **_OPTIONAL)
    min = serializers.FloatField(allow_null=True, **_OPTIONAL)
    max = serializers.FloatField(allow_null=True, **_OPTIONAL)


class OutcomeFrequencySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField()
    results = serializers.IntegerField(help_text="Outcome data rows of it.")
    studies = StudyRefSerializer(many=True)


class CrossCellSerializer(serializers.Serializer):
    row = serializers.CharField()
    column = serializers.CharField()
    count = serializers.IntegerField()
    studies = StudyRefSerializer(many=True)


class CrossTableSerializer(serializers.Serializer):
    rows_field = serializers.CharField()
    columns_field = serializers.CharField()
    studies = serializers.IntegerField()
    rows = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField())
    cells = CrossCellSerializer(many=True)


class SummariesSerializer(serializers.Serializer):
    studies = serializers.IntegerField(help_text="Studies with a final consensus.")
    without_consensus = StudyRefSerializer(many=True)
    fields = FieldSummarySerializer(many=True)
    outcomes = OutcomeFrequencySerializer(many=True)
    cross_table = CrossTableSerializer(allow_null=True, help_text="With `rows` and `columns`; else null.")


class CharacteristicsLayoutSchema(serializers.Serializer):
    """Which fields or repeating groups (keys) each column shows, in order."""

    def get_fields(self):
        return {c: serializers.ListField(child=serializers.CharField(), required=False, help_text=label)
                for c, label in characteristics.COLUMNS.items()}


class CharacteristicsItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    group = serializers.BooleanField(help_text="A repeating group rather than a field.")


class CharacteristicsLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class CharacteristicsCellsSerializer(serializers.Serializer):
    def get_fields(self):
        return {c: CharacteristicsLineSerializer(many=True, required=False, help_text=label)
                for c, label in characteristics.COLUMNS.items()}


class CharacteristicsRowSerializer(serializers.Serializer):
    study = StudyRefSerializer()
    cells = CharacteristicsCellsSerializer()
    risk_of_bias = serializers.CharField(help_text="The overall judgements, or “not appraised”.")


class CharacteristicsSerializer(serializers.Serializer):
    columns = CharacteristicsLayoutSchema()
    default = serializers.BooleanField(help_text="True: the default layout (the lead has not chosen one).")
    items = CharacteristicsItemSerializer(many=True, help_text="What a column may show.")
    header = serializers.ListField(child=serializers.CharField())
    rows = CharacteristicsRowSerializer(many=True)
    without_consensus = StudyRefSerializer(many=True)


@extend_schema_field(CharacteristicsLayoutSchema)
class LayoutColumnsField(serializers.JSONField):
    """The characteristics table's layout: column -> keys, in order."""
