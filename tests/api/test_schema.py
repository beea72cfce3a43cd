"""The schema helper itself: it must fail bad JSON, or every "valid" above would mean nothing."""

from __future__ import annotations

import json

import pytest

from tests.api.schema import STANDARD_DIR, assert_valid, errors

SERVICE = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "Lunch club", "status": "active"}


@pytest.mark.parametrize(
    ("example", "schema"),
    [
        ("service_full.json", "service"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_the_standards_own_examples_are_valid(example, schema):
    assert_valid(json.loads((STANDARD_DIR / "examples" / example).read_text()), schema)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"id": "not-a-uuid"}, "is not a 'uuid'"),
        ({"status": "open"}, "is not one of"),
        ({"email": "nobody"}, "is not a 'email'"),
        ({"url": "https://café.example.org/"}, "is not a 'uri'"),
        ({"last_modified": "yesterday"}, "is not a 'date-time'"),
        ({"minimum_age": "18"}, "is not of type 'number'"),
    ],
)
def test_bad_values_and_formats_fail(change, complaint):
    with pytest.raises(AssertionError, match=complaint):
        assert_valid(SERVICE | change, "service_list")


def test_missing_required_fields_fail():
    assert any(
        "'name' is a required property" in e for e in errors({"id": SERVICE["id"]}, "service")
    )


def test_references_between_schema_files_resolve_locally():
    taxonomy = {
        "id": "5c4d79d7-cc55-470e-9f1f-8cad074e4892",
        "name": "Needs",
        "description": "",
        "taxonomy_terms": [{"id": "not-a-uuid", "name": "Food", "description": ""}],
    }
    assert errors(taxonomy, "taxonomy") == ["taxonomy_terms/0/id: 'not-a-uuid' is not a 'uuid'"]


def test_unknown_schema_names_are_an_error():
    with pytest.raises(FileNotFoundError):
        assert_valid({}, "no_such_schema")
