"""Imports you can trust: validate first, --strict all-or-nothing, every run recorded, and a
clear message and exit code for every bad file (never a traceback)."""

from __future__ import annotations

import contextlib
import json
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from directory.db import db
from directory.listings.importer import Importer
from directory.listings.limits import MAX_TEXT, SourceError
from directory.listings.sources import read_path
from directory.models import ImportRun, Organization, Service
from tests.listings.test_import import MESSY

SERVICE = {"id": "4d1e0000-0000-4000-8000-000000000001", "name": "Drop-in", "status": "active"}


def _invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["import-hsds", *args])


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _runs(app) -> list[ImportRun]:
    with app.app_context():
        return list(db.session.scalars(select(ImportRun).order_by(ImportRun.started_at)))


def test_strict_writes_nothing_when_one_record_of_many_is_bad(feed_app):
    result = _invoke(feed_app, "--strict", str(MESSY))

    assert result.exit_code == 2, result.output
    assert "nothing was written: --strict, and 3 record(s) have errors" in result.output
    assert _count(feed_app, Service) == 0
    assert _count(feed_app, Organization) == 0
    (run,) = _runs(feed_app)
    assert (run.status, run.strict, run.complete) == ("failed", True, False)


def test_strict_with_a_clean_file_writes_everything(feed_app, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps([SERVICE]))
    result = _invoke(feed_app, "--strict", str(good))
    assert result.exit_code == 0, result.output
    assert _count(feed_app, Service) == 1


def test_every_run_is_recorded_with_its_outcome(feed_app):
    assert _invoke(feed_app, str(MESSY)).exit_code == 0
    (run,) = _runs(feed_app)
    assert run.feed == str(MESSY.resolve())
    assert (run.kind, run.status, run.complete) == ("file", "completed", True)
    assert run.counts["service"] == {"created": 4, "skipped": 3}
    assert run.counts["errors"] == 3
    assert run.ran_by.startswith("import-hsds")
    assert run.finished_at >= run.started_at
    assert run.process.split(":")[1].isdigit()


def _hostile(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """File name -> (path, what the message must say)."""
    files: dict[str, tuple[bytes, str]] = {
        "deep.json": (b"[" * 200_000 + b"]" * 200_000, "deeper than any real feed"),
        "empty.json": (b"", "is empty"),
        "blank.json": (b"  \n\t ", "is empty"),
        "scalar.json": (b"42", "holds a JSON number, not records"),
        "string.json": (b'"services"', "holds a JSON string, not records"),
        "nan.json": (b'[{"id": "x", "minimum_age": NaN}]', "is not valid JSON: NaN"),
        "digits.json": (b'[{"id": ' + b"9" * 5000 + b"}]", "is not valid JSON"),
        "junk.json": (bytes(range(256)) * 40, "holds binary data"),
        "workbook.csv": (b"PK\x03\x04" + b"\x00" * 200, "an Excel .xlsx workbook is one"),
        "report.json": (b"%PDF-1.7\n...", "looks like a PDF"),
        "broken.csv": (b'name,description\n"Lunch club,"unclosed\n', "no HSDS tables"),
        "empty_list.json": (b"[]", "holds no records"),
    }
    out = {}
    for name, (data, message) in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[name] = (path, message)
    return out


def test_every_hostile_file_gets_a_clear_message_and_exit_1(feed_app, tmp_path):
    for name, (path, message) in _hostile(tmp_path).items():
        result = _invoke(feed_app, str(path))
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output, (name, result.output)
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), (name, result.exception)
    assert _count(feed_app, Service) == 0
    assert {run.status for run in _runs(feed_app)} == {"failed"}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(feed_app, tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps([SERVICE] * 100))
    result = _invoke(feed_app, "--max-size", "0.001", str(big))
    assert result.exit_code == 1
    assert "over the 0.0 MB limit" in result.output or "limit" in result.output
    assert "raise it with --max-size" in result.output


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_with_a_note(feed_app, tmp_path):
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps([{**SERVICE, "name": "Café Club"}], ensure_ascii=False)
                      .encode("cp1252"))  # fmt: skip
    result = _invoke(feed_app, str(latin))
    assert result.exit_code == 0, result.output
    assert "is not UTF-8 (byte" in result.output and "read as Windows-1252" in result.output
    with feed_app.app_context():
        assert db.session.get(Service, SERVICE["id"]).name == "Café Club"


def test_a_csv_field_over_131072_characters_is_read_and_cut(feed_app, tmp_path):
    sheet = tmp_path / "sheet.csv"
    long_text = "Friendly help with forms. " * 8000  # 208,000 characters
    header = "Service,Organisation,Description,Postcode\n"
    sheet.write_text(f'{header}Form filling,Advice Hub,"{long_text}",CH1 5BE\n')
    result = _invoke(feed_app, str(sheet))
    assert result.exit_code == 0, result.output
    assert f"description is 207,999 characters long; cut to {MAX_TEXT:,}" in result.output
    with feed_app.app_context():
        (service,) = db.session.scalars(select(Service))
        assert len(service.description) <= MAX_TEXT
        assert service.description.startswith("Friendly help with forms.")


def test_a_huge_description_never_reaches_the_database_whole(feed_app, tmp_path):
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps([{**SERVICE, "description": "word " * 2_000_000}]))  # 10 MB
    result = _invoke(feed_app, str(huge))
    assert result.exit_code == 0, result.output
    with feed_app.app_context():
        assert len(db.session.get(Service, SERVICE["id"]).description) <= MAX_TEXT


def test_records_nested_deeper_than_real_ones_are_skipped_not_a_traceback(feed_app, tmp_path):
    deep: dict = {"id": "4d1e0000-0000-4000-8000-00000000dead", "name": "Deep", "status": "active"}
    record = deep
    for _ in range(300):
        org = {"id": "4d1e0000-0000-4000-8000-00000000beef", "name": "Org", "services": [{}]}
        record["organization"] = org
        record = org["services"][0]
        record.update({"id": "4d1e0000-0000-4000-8000-00000000f00d", "name": "x"})
    path = tmp_path / "nested.json"
    path.write_text(json.dumps([deep, SERVICE]))
    result = _invoke(feed_app, str(path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    with feed_app.app_context():
        assert db.session.get(Service, SERVICE["id"]) is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "status",
                    "schedules",
                    "contacts",
                    "phones",
                    "organization",
                    "services",
                    "service_taxonomys",
                    "regular_schedules",
                    "taxonomies",
                    "locations",
                    "content",
                    "attributes",
                    "taxonomy_term",
                    "weekday",
                    "opens_at",
                    "pc_metadata",
                    "url",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(json_values, max_size=4))
def test_any_json_at_all_is_prepared_without_an_exception(app, records):
    """Whatever a feed holds, preparing it reports problems; it never raises."""
    with app.app_context():
        importer = Importer(db.session, source="fuzz.json")
        importer.prepare([(None, r) for r in records])
        importer.finish().lines()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300) | st.text(string.printable, max_size=300).map(str.encode))
def test_any_bytes_in_a_file_give_records_or_a_source_error(tmp_path, data):
    for suffix in (".json", ".csv"):
        path = tmp_path / f"input{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(SourceError):
            read_path(path)
