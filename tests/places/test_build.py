"""Building the gazetteer file: real ONSPD data in, one complete SQLite file out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from directory.places.build import BuildStats, build_gazetteer, is_complete, main, read_meta
from directory.places.gazetteer import get_gazetteer


def test_small_build_covers_the_requested_letters(small_build: BuildStats) -> None:
    assert small_build.letters == "CW"
    # C and W together hold about 392,000 ONSPD records; a few thousand have no location.
    assert 380_000 < small_build.postcodes < 392_000
    assert small_build.skipped_no_location > 0
    assert 300 < small_build.outcodes < 500
    assert small_build.towns == 5_911  # GeoNames' 5,913 less the two bases in Cyprus
    assert small_build.unnamed_authorities == ()
    assert small_build.size_bytes == small_build.path.stat().st_size
    meta = read_meta(small_build.path)
    assert meta["complete"] == "1"
    assert meta["letters"] == "CW"
    assert is_complete(small_build.path, "cw")
    assert is_complete(small_build.path, "C")
    assert not is_complete(small_build.path, "CB")
    assert not is_complete(small_build.path)  # not the whole UK


def test_only_the_requested_letters_are_present(small_build: BuildStats) -> None:
    with sqlite3.connect(small_build.path) as conn:
        firsts = {row[0] for row in conn.execute("SELECT DISTINCT substr(pc, 1, 1) FROM postcode")}
    assert firsts == {"C", "W"}


def test_build_leaves_no_temporary_files(small_build: BuildStats) -> None:
    assert sorted(p.name for p in small_build.path.parent.iterdir()) == ["gazetteer.sqlite"]


def test_missing_or_broken_files_are_not_complete(tmp_path: Path) -> None:
    assert not is_complete(tmp_path / "nothing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database")
    assert not is_complete(junk)
    assert read_meta(junk) == {}


def test_entry_point_skips_a_complete_file(
    small_build: BuildStats, capsys: object, tmp_path: Path
) -> None:
    before = small_build.path.stat().st_mtime_ns
    assert main(["--path", str(small_build.path), "--letters", "C", "--quiet"]) == 0
    assert small_build.path.stat().st_mtime_ns == before
    assert "already built" in capsys.readouterr().out  # type: ignore[attr-defined]


def test_rebuild_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    messages: list[str] = []
    first = build_gazetteer(path, letters="Z", progress=messages.append)
    assert first.postcodes > 700  # Shetland
    assert any("Z" in m for m in messages)
    inode = path.stat().st_ino
    before = get_gazetteer(path)
    assert before.postcode("ZE1 0AA") is not None
    second = build_gazetteer(path, letters="JZ")  # Jersey has no grid references
    assert second.postcodes == first.postcodes
    assert second.skipped_no_location >= 3_000
    assert path.stat().st_ino != inode  # a new file moved into place, not rewritten
    after = get_gazetteer(path)
    assert after is not before  # the cached accessor notices the rebuild
    assert before.postcode("ZE1 0AA") == after.postcode("ZE1 0AA")  # old handle still works
