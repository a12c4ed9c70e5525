"""The OpenAPI document types the JSON the app stores (form definitions, an analysis's spec, a run's
result, outcome data values, GRADE ratings, ...): a client reads names, types and choices there
instead of guessing them from examples."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from analysis.models import Analysis

# Any JSON by nature: the audit trail's snapshots of any model, and a JSON Schema's own property schemas.
ANY_JSON_ALLOWED = {("AuditEvent", "before"), ("AuditEvent", "after"), ("JsonSchemaDocument", "properties")}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _untyped(node: dict) -> bool:
    if "$ref" in node or "allOf" in node or "oneOf" in node or "anyOf" in node or "enum" in node:
        return False
    kind = node.get("type")
    if kind is None:
        return True
    if kind == "object":
        extra = node.get("additionalProperties")
        return "properties" not in node and (extra is None or extra in ({}, True) or _untyped(extra))
    if kind == "array":
        return _untyped(node.get("items", {}))
    return False


def _resolve(schema, node: dict) -> dict:
    for part in (node.get("allOf") or [node]):
        if "$ref" in part:
            return schema["components"]["schemas"][part["$ref"].rsplit("/", 1)[1]]
    return node


def test_no_field_of_ours_is_an_untyped_object(schema):
    untyped = [(name, prop) for name, component in schema["components"]["schemas"].items()
               for prop, node in (component.get("properties") or {}).items()
               if _untyped(node) and (name.removeprefix("Patched"), prop) not in ANY_JSON_ALLOWED]
    assert untyped == []
    bare = [f"{method} {path}" for path, operations in schema["paths"].items()
            for method, operation in operations.items()
            for code, answer in operation.get("responses", {}).items()
            for media in answer.get("content", {}).values()
            if code.startswith("2") and _untyped(media.get("schema", {})) and
            media.get("schema", {}).get("format") != "binary"]
    assert bare == []


def test_the_analysis_spec_and_a_runs_result_name_their_values_and_choices(schema):
    components = schema["components"]["schemas"]
    spec = _resolve(schema, components["AnalysisDetail"]["properties"]["spec"])
    assert {"measure", "method", "test", "designs", "higher_favours", "level"} <= set(spec["properties"])
    measure = _resolve(schema, spec["properties"]["measure"])
    assert set(measure["enum"]) == set(Analysis.Measure.values)
    result = _resolve(schema, components["Run"]["properties"]["results"])
    for name in ("b", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "QE", "k"):
        assert result["properties"][name]["type"] in ("number", "integer"), name
    assert result["properties"]["tau2_ci"]["maxItems"] == 2


def test_a_forms_definition_types_its_fields_and_the_ratings_answer_its_domains(schema):
    components = schema["components"]["schemas"]
    definition = _resolve(schema, components["FormVersion"]["properties"]["definition"])
    section = _resolve(schema, definition["properties"]["sections"]["items"])
    field = _resolve(schema, section["properties"]["fields"]["items"])
    assert "decimal" in _resolve(schema, field["properties"]["type"])["enum"]
    ratings_put = schema["paths"]["/api/v1/reviews/{review_id}/summary-of-findings/{outcome_id}/ratings/"]["put"]
    answer = _resolve(schema, ratings_put["responses"]["200"]["content"]["application/json"]["schema"])
    domains = _resolve(schema, answer["properties"]["ratings"])
    assert "imprecision" in domains["properties"]
    stored = _resolve(schema, domains["properties"]["imprecision"])
    assert stored["properties"]["change"]["maximum"] == 2
    values = components["OutcomeData"]["properties"]["values"]
    assert values["additionalProperties"]["oneOf"]
