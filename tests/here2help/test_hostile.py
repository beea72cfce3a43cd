"""Whatever the cells hold, the import never crashes: each row is imported, or skipped with a
reason, or the whole file is refused with a clear error (binary, unreadable CSV)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from directory.here2help.csvfile import HEADERS, OFFERS, ORGANISATIONS, REQUESTS, HeaderError
from directory.here2help.importer import import_here2help
from tests.here2help.conftest import offer_row, organisation_row, request_row

#: Any text a spreadsheet cell could hold (no lone surrogates: they cannot be written as UTF-8).
CELL = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.sampled_from(["", "n/a", "open", "closed", "2026-01-01", "01/01/2026", "CH2 3AE", "5"]),
)
SAMPLES = {REQUESTS: request_row(), OFFERS: offer_row(), ORGANISATIONS: organisation_row()}


def _rows(name: str) -> st.SearchStrategy[list[dict[str, str]]]:
    """Rows that start as valid ones with any of their cells replaced by anything."""
    columns = HEADERS[name]
    row = st.fixed_dictionaries({c: st.one_of(st.just(SAMPLES[name][c]), CELL) for c in columns})
    return st.lists(row, min_size=1, max_size=3)


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(HEADERS[name]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / name).write_text(out.getvalue(), encoding="utf-8")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=_rows(REQUESTS), offers=_rows(OFFERS), organisations=_rows(ORGANISATIONS))
def test_any_cell_text_is_imported_or_refused_never_a_crash(
    tax_session: Session, tmp_path: Path, requests, offers, organisations
) -> None:
    folder = tmp_path / "h2h"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    _write(folder, REQUESTS, requests)
    _write(folder, OFFERS, offers)
    _write(folder, ORGANISATIONS, organisations)
    try:
        report = import_here2help(tax_session, folder, dry_run=True)
    except HeaderError as exc:
        assert str(exc)  # refused whole, with a reason
        return
    for file in report.files:
        accounted = file.created + file.updated + file.unchanged + file.skipped + file.matched
        assert accounted == file.read, file.file
        assert all(message for _, message in file.errors)
    assert "\n".join(report.lines())
