"""Memory indexes built at once (by two processes, or two writers) never share a temp folder."""

from __future__ import annotations

from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage

from search_index.memory import PrivateRamStorage

SCHEMA = Schema(doc_id=ID(stored=True))


def _temp_folder(storage: RamStorage) -> str:
    writer = storage.create_index(SCHEMA).writer()
    try:
        return writer._tempstorage.folder
    finally:
        writer.cancel()


def test_whooshs_own_memory_storage_shares_one_temp_folder():
    """The reason for PrivateRamStorage: every plain RamStorage writer uses /tmp/MAIN.tmp."""
    assert _temp_folder(RamStorage()) == _temp_folder(RamStorage())


def test_each_writer_gets_a_temp_folder_of_its_own():
    first, second = _temp_folder(PrivateRamStorage()), _temp_folder(PrivateRamStorage())
    assert first != second


def test_a_memory_index_still_indexes_and_finds():
    index = PrivateRamStorage().create_index(SCHEMA)
    with index.writer() as writer:
        writer.add_document(doc_id="a")
        writer.add_document(doc_id="b")
    with index.searcher() as searcher:
        assert sorted(hit["doc_id"] for hit in searcher.documents()) == ["a", "b"]
