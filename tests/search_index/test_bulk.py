"""The bulk segment writer against Whoosh's own writer: the same documents must give the same
index, posting for posting, and the spelling dictionary must round-trip."""

from __future__ import annotations

import random

import pytest
from whoosh.query import Phrase

from search_index.arrays import arrays_for
from search_index.bulk import BulkWriter, read_spelling, write_spelling
from search_index.documents import iter_all_documents
from search_index.engine import view_for
from search_index.fields import WeightedText
from search_index.memory import PrivateRamStorage
from search_index.schema import build_schema, match_bits
from search_index.segments import data_for
from tests.factories import make_directory

WORDS = ["food", "bank", "debt", "advice", "lonely", "befriending", "carers", "cafe",
         "walking", "group", "warm", "space"]  # fmt: skip


def _documents(session) -> list[dict]:
    """The shared test directory's documents, then 400 variations of them so that common
    words fill several posting blocks (128 postings each)."""
    make_directory(session)
    session.commit()
    real = list(iter_all_documents(session))
    rng = random.Random(7)
    docs = list(real)
    for n in range(400):
        doc = dict(rng.choice(real))
        words = " ".join(rng.choices(WORDS, k=rng.randint(3, 12)))
        doc["doc_id"] = f"copy-{n}"
        doc["all"] = [*doc["all"], (1.0, words), (0.5, f"Town {n % 7}")]
        doc["checked"] = rng.randint(0, 740_000)
        docs.append(doc)
    return docs


def _whoosh_index(docs: list[dict]):
    index = PrivateRamStorage().create_index(build_schema())
    with index.writer() as writer:
        for doc in docs:
            writer.add_document(**doc)
    return index


def _bulk_index(docs: list[dict]):
    index = PrivateRamStorage().create_index(build_schema())
    writer = BulkWriter(index)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return index, writer.spelling


def _contents(index) -> dict:
    """Everything a reader can say about the index, in comparable form."""
    out: dict = {}
    with index.reader() as reader:
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), round(matcher.weight(), 4), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, text)
            out[("term", fieldname, text)] = (
                postings,
                info.doc_frequency(),
                round(info.weight(), 3),
                info.min_length(),
                info.max_length(),
                round(info.max_weight(), 4),
            )
        for docnum in range(reader.doc_count_all()):
            out[("doc", docnum)] = (
                reader.stored_fields(docnum),
                reader.doc_field_length(docnum, "all"),
            )
        for name in ("lat", "lon", "checked", "hours", "service_key", "age_min", "age_max"):
            out[("column", name)] = list(reader.column_reader(name))
        out["lengths"] = (reader.field_length("all"), reader.max_field_length("all"))
    return out


@pytest.fixture
def built(session):
    docs = _documents(session)
    return docs, _whoosh_index(docs), _bulk_index(docs)


def test_the_bulk_writer_writes_what_whooshs_writer_writes(built):
    docs, whoosh_index, (bulk_index, _spelling) = built
    expected, found = _contents(whoosh_index), _contents(bulk_index)
    assert len(docs) > 400
    assert max(len(v[0]) for k, v in expected.items() if k[0] == "term") > 3 * 128
    assert found.keys() == expected.keys()
    different = [key for key in expected if found[key] != expected[key]]
    assert different == []


def test_spelling_counts_documents_per_unstemmed_word_and_round_trips(built):
    docs, _unused, (bulk_index, spelling) = built
    field = WeightedText()
    expected: dict[str, int] = {}
    for doc in docs:
        for word in field.spelling_words(doc["all"]):
            expected[word] = expected.get(word, 0) + 1
    assert dict(spelling) == expected
    assert "befriending" in spelling and "befriend" not in spelling
    write_spelling(bulk_index.storage, spelling)
    assert read_spelling(bulk_index.storage) == expected
    assert read_spelling(PrivateRamStorage()) == {}


def test_phrases_do_not_span_two_sections():
    field = WeightedText()
    postings = {text: value for text, _f, _w, value in field.index([(4.0, "Food"), (1.0, "bank")])}
    food, bank = (field.format.decode_positions(postings[w]) for w in (b"food", b"bank"))
    assert bank[0] - food[0] > 50


def test_arrays_files_agree_with_whooshs_postings_and_phrase_matcher(built):
    """Term documents and phrases read from the bulk segment's arrays file are what Whoosh
    finds in the same segment's postings, slop included."""
    _docs, _whoosh, (bulk_index, _spelling) = built
    with bulk_index.searcher() as searcher:
        reader = searcher.reader()
        (leaf, _offset), *_ = reader.leaf_readers()
        arrays = arrays_for(leaf, "all")
        assert arrays is not None and len(arrays.terms) > 100
        for text in ("food", "bank", "debt", "chester", "befriend"):
            expected = list(reader.postings("all", text).all_ids())
            assert arrays.ids(text).tolist() == expected
        view = view_for(searcher)
        for words, slop in ((["food", "bank"], 1), (["bank", "food"], 1), (["debt", "advic"], 1),
                            (["food", "debt"], 3), (["warm", "space", "group"], 2)):  # fmt: skip
            phrase = Phrase("all", words, slop=slop)
            expected = set(phrase.matcher(searcher, searcher.boolean_context()).all_ids())
            assert set(view.to_ids(match_bits(phrase, view))) == expected, words
        assert any(
            view.to_ids(match_bits(Phrase("all", w, slop=1), view))
            for w in (["food", "bank"], ["debt", "advic"])
        )


def test_phrases_and_words_span_bulk_and_ordinary_segments_and_skip_deleted_documents(built):
    """After same-request updates an index has a bulk segment (with arrays) and small ones
    written by Whoosh (without): both are searched, and deleted documents never count."""
    docs, _whoosh, (bulk_index, _spelling) = built
    writer = bulk_index.writer()
    writer.delete_by_term("service_id", docs[0]["service_id"])
    for n, doc in enumerate(docs[:30]):
        writer.add_document(**{**doc, "doc_id": f"again-{n}"})
    writer.commit(merge=False)
    with bulk_index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        view = view_for(searcher)
        for words in (["food", "bank"], ["debt", "advic"], ["warm", "space"]):
            phrase = Phrase("all", words, slop=1)
            expected = set(phrase.matcher(searcher, searcher.boolean_context()).all_ids())
            assert set(view.to_ids(match_bits(phrase, view))) == expected, words
            for word in words:
                expected = set(searcher.reader().postings("all", word).all_ids())
                assert set(view.to_ids(view.text_bits("all", word))) == expected


def test_segment_data_is_shared_across_searchers_and_deletions_still_count(built):
    """A new searcher after an edit reuses the unchanged segment's document sets; its view
    still leaves out the deleted documents and counts the new segment's."""
    docs, _whoosh, (bulk_index, _spelling) = built
    with bulk_index.searcher() as before:
        (big, _offset), *_ = before.reader().leaf_readers()
        old_view = view_for(before)
        food_before = old_view.text_bits("all", "food").bit_count()
        need = docs[0]["need"].split()[0]
        need_before = old_view.term_bits("need", need).bit_count()
    writer = bulk_index.writer()
    writer.delete_by_term("service_id", docs[0]["service_id"])
    writer.add_document(**{**docs[1], "doc_id": "again", "need": need})
    writer.commit(merge=False)
    with bulk_index.searcher() as after:
        view = view_for(after)
        (leaf, _offset), _small = after.reader().leaf_readers()
        assert data_for(leaf) is data_for(big)
        deleted = len(list(leaf.segment().deleted_docs()))
        expected = set(after.reader().postings("need", need).all_ids())
        assert set(view.to_ids(view.term_bits("need", need))) == expected
        assert view.term_bits("need", need).bit_count() == need_before - deleted + 1
        assert view.text_bits("all", "food").bit_count() <= food_before + 1
        everything = view.live
        counts = view.value_counts("area", everything)
        for value in view.field_values("area"):
            assert counts[value] == (everything & view.term_bits("area", value)).bit_count()
