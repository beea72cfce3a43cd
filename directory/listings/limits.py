"""Limits that keep a hostile or broken file from hurting the directory, and reading files
safely within them.

Every bad file gets a sentence a council officer can act on, never a traceback: too big, empty,
binary (an Excel workbook or a PDF saved with the wrong name), not UTF-8, nested deeper than any
real feed, or a JSON number or string where records should be. Text fields are capped too: one
50 MB description once made a 100 MB service page and grew the search index from 1.1 to 151 MB.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: The largest file (or HTTP response) read, in bytes, outside an app; in one, the app's
#: ``IMPORT_MAX_BYTES`` (:func:`max_bytes`), or ``--max-size``.
MAX_BYTES = 200 * 1024 * 1024
#: Longest free text kept (descriptions, notes, eligibility...) outside an app; in one, the
#: app's ``IMPORT_MAX_TEXT`` (:func:`max_text`). Longer text is cut with a warning. Names and
#: other short fields are capped at their column's size.
MAX_TEXT = 20_000


def _setting(key: str, default: int) -> int:
    from flask import current_app, has_app_context

    return int(current_app.config.get(key) or default) if has_app_context() else default


def max_bytes() -> int:
    """The running app's ``IMPORT_MAX_BYTES`` (docs/configuration.md), else :data:`MAX_BYTES`."""
    return _setting("IMPORT_MAX_BYTES", MAX_BYTES)


def max_text() -> int:
    """The running app's ``IMPORT_MAX_TEXT``, else :data:`MAX_TEXT`."""
    return _setting("IMPORT_MAX_TEXT", MAX_TEXT)


_MAGIC = (
    (b"PK\x03\x04", "a ZIP file (an Excel .xlsx workbook is one): save the sheet as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word file: save the sheet as CSV"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "a gzip-compressed file: unzip it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SourceError(Exception):
    """The input could not be read at all (missing, unreadable, not JSON, no records)."""


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int, what: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise SourceError(
            f"{what} is {megabytes(size)}, over the {megabytes(max_bytes)} limit "
            "(raise it with --max-size or IMPORT_MAX_BYTES if the file is genuine)"
        )


def decode(data: bytes, what: str) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (with or without a byte-order mark), UTF-16 with a mark, or, as
    a last resort, Windows-1252 (what Excel on Windows writes) with a note saying so."""
    if not data.strip():
        raise SourceError(f"{what} is empty")
    head = data[:4096]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise SourceError(f"{what} is not JSON or CSV text: it looks like {kind}")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), f"{what} is UTF-16; read as such"
        except UnicodeDecodeError as exc:
            raise SourceError(f"{what} is not readable text: {exc.reason}") from exc
    if b"\x00" in head or len(_CONTROL.findall(head)) > len(head) // 20:
        raise SourceError(f"{what} holds binary data, not JSON or CSV text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
        text = data.decode("cp1252", errors="replace")
        return text, f"{what} is not UTF-8 ({where}); read as Windows-1252"


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> tuple[str, str | None]:
    """A file's text within the size limit; ``(text, note about its encoding or None)``."""
    try:
        size = path.stat().st_size
        check_size(size, str(path), max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    return decode(data, str(path))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, what: str) -> Any:
    """Parsed JSON, or :class:`SourceError` with a plain reason (never a traceback)."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise SourceError(
            f"{what} nests lists or objects deeper than any real feed does; not read"
        ) from exc
    except ValueError as exc:  # NaN/Infinity, or an integer of thousands of digits
        raise SourceError(f"{what} is not valid JSON: {exc}") from exc


def describe_scalar(data: Any) -> str:
    kind = {bool: "true/false value", str: "string", int: "number", float: "number"}
    return f"a JSON {kind.get(type(data), type(data).__name__)}" if data is not None else "null"


def cap_text(text: str, limit: int | None = None) -> tuple[str, bool]:
    """``text`` cut at ``limit`` characters (default :func:`max_text`), at a space when there
    is one near the end."""
    limit = max_text() if limit is None else limit
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 2]
    space = cut.rfind(" ", limit - 200)
    return (cut[:space] if space > 0 else cut).rstrip() + " …", True
