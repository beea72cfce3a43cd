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


def test_a_searchers_view_goes_with_the_searcher():
    """A searcher's ``IndexView`` (and its caches) is freed when the searcher is: kept in a
    ``WeakKeyDictionary`` keyed by searcher it never was (the view holds the searcher), so a
    busy site kept every searcher since start-up, one per edit (the soak's workers grew 14 MB
    a second)."""
    import gc
    import weakref

    from whoosh.filedb.filestore import RamStorage

    from search_index.engine import view_for
    from search_index.schema import build_schema

    index = RamStorage().create_index(build_schema())
    searcher = index.searcher()
    view = view_for(searcher)
    assert view_for(searcher) is view  # kept for the searcher's life
    gone_view, gone_searcher = weakref.ref(view), weakref.ref(searcher)
    searcher.close()
    del searcher, view
    gc.collect()
    assert gone_view() is None and gone_searcher() is None
