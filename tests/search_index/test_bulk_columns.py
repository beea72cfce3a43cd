"""``BulkColumns`` against Whoosh's own per-document writer: the same documents must give the
same column files, byte for byte (stored fields, field lengths, numbers, byte strings, and a
column type it leaves to Whoosh), on both sides of the offsets cut-off."""

from __future__ import annotations

import random
from array import array

import pytest
from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from search_index.bulk_columns import BulkColumns

COLUMNS = {
    "lat": columns.NumericColumn("i", default=-(2**31)),
    "age": columns.NumericColumn("B", default=255),
    "score": columns.NumericColumn("f", default=0.0),
    "key": columns.VarBytesColumn(),
    "ref": columns.RefBytesColumn(),  # not one BulkColumns packs itself
}


def _documents(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for n in range(count):
        doc: dict = {"length": rng.choice([0, 0, 1, 2, 7, 40, 300, 120_000])}
        if rng.random() < 0.9:
            doc["stored"] = {"doc_id": f"d{n}", "row": {"name": "x" * rng.randint(0, 900)}}
        if rng.random() < 0.7:
            doc["lat"] = rng.choice([-(2**31), rng.randint(-(2**31) + 1, 2**31 - 1)])
        if rng.random() < 0.5:
            doc["age"] = rng.choice([0, 18, 65, 255])
        if rng.random() < 0.3:
            doc["score"] = rng.choice([0.0, 1.5, -2.25])
        if rng.random() < 0.8:
            doc["key"] = rng.randbytes(rng.choice([0, 3, 40, 300]))
        if rng.random() < 0.4:
            doc["ref"] = rng.choice([b"a", b"bb", b"ccc"])
        docs.append(doc)
    # the last documents have no values, so the columns end before the segment does
    return [*docs, {"length": 0}, {"length": 0}]


def _whoosh(storage, docs: list[dict]):
    codec = W3Codec()
    segment = codec.new_segment(storage, "MAIN")
    perdoc = codec.per_document_writer(storage, segment)
    for docnum, doc in enumerate(docs):
        perdoc.start_doc(docnum)
        if doc.get("stored"):
            for name, value in doc["stored"].items():
                perdoc.add_field(name, None, value, 0)
        perdoc.add_field("all", None, None, doc["length"])
        for name, column in COLUMNS.items():
            if name in doc:
                perdoc.add_column_value(name, column, doc[name])
        perdoc.finish_doc()
    perdoc.close()
    return segment


def _bulk(storage, docs: list[dict]):
    codec = W3Codec()
    segment = codec.new_segment(storage, "MAIN")
    perdoc = codec.per_document_writer(storage, segment)
    bulk = BulkColumns(perdoc)
    lists = {name: bulk.column(name, column) for name, column in COLUMNS.items()}
    lengths = array("I")
    for docnum, doc in enumerate(docs):
        bulk.add_stored(dict(doc.get("stored") or {}))
        lengths.append(doc["length"])
        for name in COLUMNS:
            if name in doc:
                lists[name][0].append(docnum)
                lists[name][1].append(doc[name])
    bulk.finish(len(docs), {"all": lengths})
    perdoc.close()
    return segment


def _files(storage, segment) -> dict[str, bytes]:
    return {
        name.replace(segment.segid, ""): storage.open_file(name).read()
        for name in storage.list()
        if segment.segid in name
    }


@pytest.mark.parametrize("count", [500, 40_000])  # below and above the offsets cut-off
def test_bulk_columns_write_what_whooshs_per_document_writer_writes(count):
    docs = _documents(count, seed=count)
    expected_storage, found_storage = RamStorage(), RamStorage()
    expected_segment = _whoosh(expected_storage, docs)
    found_segment = _bulk(found_storage, docs)
    expected, found = (
        _files(expected_storage, expected_segment),
        _files(found_storage, found_segment),
    )
    assert sorted(found) == sorted(expected)
    assert len(expected) == len(COLUMNS) + 2  # and the stored fields and field lengths
    assert [name for name in expected if found[name] != expected[name]] == []
    assert found_segment._fieldlengths == expected_segment._fieldlengths


def test_a_number_the_column_cannot_hold_is_refused_as_whoosh_refuses_it():
    perdoc = W3Codec().per_document_writer(RamStorage(), W3Codec().new_segment(RamStorage(), "M"))
    _docs, values = BulkColumns(perdoc).column("age", COLUMNS["age"])
    with pytest.raises(OverflowError):
        values.append(256)


def test_only_a_fresh_per_document_writer_is_taken():
    storage = RamStorage()
    codec = W3Codec()
    perdoc = codec.per_document_writer(storage, codec.new_segment(storage, "M"))
    perdoc.start_doc(0)
    perdoc.finish_doc()
    with pytest.raises(TypeError):
        BulkColumns(perdoc)
