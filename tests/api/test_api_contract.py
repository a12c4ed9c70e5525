"""The served OpenAPI document is a contract a client can generate code from: valid under
openapi-spec-validator, every operation described in words meant for clients, path values and
filters with their allowed values, and the JSON lists typed."""
from __future__ import annotations

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from reviewapp.api_base import ReviewApiView

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, people) -> dict:
    client.force_login(people["viewer"])
    response = client.get(reverse("api_schema") + "?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


def _walk(node, where="#"):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def test_the_served_schema_is_valid_openapi(schema):
    validate(schema)  # raises with the place at fault


def test_no_text_field_defaults_to_the_empty_text_it_refuses(schema):
    contradictions = [where for where, node in _walk(schema)
                      if node.get("default") == "" and node.get("minLength", 0) >= 1]
    assert contradictions == []


def test_every_operation_is_described_for_clients_not_by_the_base_class(schema):
    internal = ReviewApiView.__doc__.split(".")[0].strip()
    undescribed = [name for name, operation in _operations(schema)
                   if not operation.get("description") or internal in operation["description"]]
    assert undescribed == []


def _parameter(schema, path, method, name):
    operation = schema["paths"][path][method]
    return next(p["schema"] for p in operation["parameters"] if p["name"] == name)


def test_path_values_and_filters_name_their_allowed_values(schema):
    for path, method in (("/api/v1/reviews/{review_id}/screening/{stage}/next/", "get"),
                         ("/api/v1/reviews/{review_id}/screening/{stage}/undo/", "post")):
        stage = _parameter(schema, path, method, "stage")
        assert stage["type"] == "string" and sorted(stage["enum"]) == ["ft", "ta"]
    duplicates = _parameter(schema, "/api/v1/reviews/{review_id}/records/", "get", "duplicates")
    assert duplicates["type"] == "string" and sorted(duplicates["enum"]) == ["hide", "only", "show"]


def test_json_lists_are_typed(schema):
    components = schema["components"]["schemas"]
    texts = {"type": "array", "items": {"type": "string"}}
    for component, field in (("Record", "authors"), ("Record", "keywords"), ("RecordBrief", "authors"),
                             ("Decision", "tags"), ("VisibleDecision", "tags"),
                             ("ScreeningSettings", "exclusion_reasons")):
        declared = components[component]["properties"][field]
        assert {k: declared[k] for k in texts} == texts, (component, field)
    designs = components["AnalysisDetail"]["properties"]["designs"]
    assert designs["type"] == "array" and designs["items"] == {"$ref": "#/components/schemas/DesignsEnum"}
    assert "Randomised controlled trial" in components["DesignsEnum"]["enum"]


def test_the_duplicates_filter_takes_the_words_the_schema_names(world):
    from django.test import Client

    answers = {value: Client().get(reverse("api_records", args=[world.review.pk]), {"duplicates": value},
                                   HTTP_AUTHORIZATION=f"Token {world.tokens['viewer']}").status_code
               for value in ("hide", "show", "only", "1")}
    assert answers == {"hide": 200, "show": 200, "only": 200, "1": 400}


def test_answers_are_typed_and_point_to_each_versions_json_schema(schema):
    path = "/api/v1/reviews/{review_id}/extraction/forms/{form_id}/versions/{number}/answers-schema/"
    assert "get" in schema["paths"][path]
    components = schema["components"]["schemas"]
    for component in ("Entry", "EntryInputRequest"):
        answers = components[component]["properties"]["answers"]
        assert answers["type"] == "object" and answers["additionalProperties"]["oneOf"]
        assert "answers-schema/" in answers["description"]
    assert "answers_schema" in components["FormVersion"]["properties"]
