"""The bulk segment writer against Whoosh's own writer: the same documents must give the same
index, posting for posting, and the spelling dictionary must round-trip. The bulk writer's
own path for the text field (stem numbers, postings grouped with numpy, positions encoded
together) is checked against the plain one (``analyse``, ``text_terms``, Whoosh's analyzer
chain and ``Positions.encode``) on seeded synthetic texts, long ones included."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from whoosh import formats
from whoosh.query import Phrase
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index import bulk
from search_index.analysis import (
    STEMS,
    STOP_WORDS,
    analyse,
    analyse_numbered,
    forget_texts,
    text_analyzer,
)
from search_index.arrays import MAX_POSITION, arrays_for
from search_index.bulk import BulkWriter, read_spelling, write_spelling
from search_index.documents import iter_all_documents
from search_index.engine import view_for
from search_index.fields import WeightedText
from search_index.memory import PrivateRamStorage
from search_index.schema import SECTION_WEIGHTS, build_schema, match_bits
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


# The bulk writer's text path against the plain one ---------------------------------------------

#: Words for synthetic texts: plain, stemmed together, stop words, apostrophes (straight and
#: curly), accents, full-width letters, digits and short words (no spelling entry).
VOCABULARY = [*WORDS, "foods", "banking", "advised", "loneliness", "socialising", "counsellor",
              "mum's", "can\u2019t", "Caf\u00e9", "na\u00efve", "\uff26\uff4f\uff4f\uff44",
              "24", "7", "ok", "of", "the", "and", "my", "please", "tbd", "Chester", "Zo\u00eb",
              "r\u00e9sum\u00e9", "x"]  # fmt: skip


def _text(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        parts.append(rng.choice(VOCABULARY))
        parts.append(rng.choice([" ", " ", " ", ", ", ". ", " - ", "/"]))
    return "".join(parts)


def _synthetic_values(seed: int, count: int) -> list[list[tuple[float, str]]]:
    """``all`` values as documents have them: sections with the schema's weights, some empty
    or only stop words, many repeated between documents, a few long."""
    rng = random.Random(seed)
    weights = list(SECTION_WEIGHTS.values())
    shared = [_text(rng, rng.randint(1, 6)) for _ in range(40)]
    values = []
    for _ in range(count):
        sections = []
        for weight in weights:
            pick = rng.random()
            if pick < 0.1:
                text = ""
            elif pick < 0.15:
                text = "the and of my"
            elif pick < 0.6:
                text = rng.choice(shared)
            else:
                text = _text(rng, rng.choice([2, 5, 20, 60, 200]))
            sections.append((weight, text))
        values.append(sections)
    return values


def test_numbered_analysis_gives_analyses_stems_and_whooshs_chain():
    rng = random.Random(11)
    chain = text_analyzer()
    texts = [_text(rng, rng.randint(0, 40)) for _ in range(300)]
    texts += ["", "the of and", "Mum's caf\u00e9 can't", "\uff26\uff4f\uff4f\uff44 bank"]
    for text in texts:
        numbers, words = analyse_numbered(text)
        stems, spelled = analyse(text)
        assert [STEMS[n] for n in numbers] == list(stems) == [t.text for t in chain(text)]
        assert words == spelled
        assert all(len(w) >= 3 and w not in STOP_WORDS for w in words)
        forget_texts()
        assert analyse_numbered(text) == (numbers, words)  # the same after the caches go


def test_encoded_positions_are_whooshs():
    """Positions encoded together (numpy) are ``Positions.encode``'s bytes: one position or
    many, below and above 1,024, deltas of one, two and four bytes, lists of more than 1,000
    (which pickle in batches)."""
    rng = random.Random(5)
    lists = []
    for _ in range(2000):
        count = rng.choice([1, 1, 2, 3, 4, 9, 999, 1000, 1001, 2100]) if rng.random() < 0.1 else 1
        position = rng.choice([0, 3, 255, 1023, 1024, 65535, 70_000, 2**31 - 10**7])
        where = []
        for _ in range(count):
            where.append(position)
            position += rng.choice([1, 2, 100, 255, 256, 65535, 65536])
        lists.append(where)
    counts = np.array([len(w) for w in lists], dtype=np.uint32)
    firsts = np.cumsum(counts, dtype=np.uint32) - counts
    positions = np.array([p for w in lists for p in w], dtype=np.uint32)
    encode = formats.Positions().encode
    assert bulk._position_values(counts, firsts, positions) == [encode(w) for w in lists]


def _text_postings(index) -> dict:
    """The text field's postings (document, weight, positions) and field lengths, as Whoosh's
    reader gives them, and the arrays file's documents, weights and positions."""
    out: dict = {}
    decode = formats.Positions().decode_positions
    with index.reader() as reader:
        for text in reader.lexicon("all"):
            matcher = reader.postings("all", text)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), decode(matcher.value())))
                matcher.next()
            info = reader.term_info("all", text)
            out[text] = (found, info.min_length(), info.max_length(), info.max_weight())
        out["lengths"] = [reader.doc_field_length(n, "all") for n in range(reader.doc_count_all())]
        (leaf, _offset), *_ = reader.leaf_readers()
        arrays = arrays_for(leaf, "all")
    if arrays is not None:
        out["arrays"] = {}
        for term in arrays.terms:
            ids, weights = arrays.postings(term)
            codes = arrays.codes(term)
            out["arrays"][term] = (ids.tolist(), weights.tolist(), codes.tolist())
    return out


def _expected_text_postings(values: list) -> dict:
    """What the plain path (``WeightedText.postings``: ``text_terms`` and
    ``encode_positions``) gives for the same values, and the arrays file it implies (positions
    above 65,535 kept as 65,535). Field lengths are kept as one byte (``length_to_byte``)."""
    field = WeightedText()
    decode = field.format.decode_positions
    terms: dict = {}
    lengths = []
    for docnum, value in enumerate(values):
        length = 0
        for stem, freq, weight, encoded in field.postings(value):
            terms.setdefault(stem.encode("utf-8"), []).append(
                (docnum, float(np.float32(weight)), decode(encoded))
            )
            length += freq
        lengths.append(length)
    out: dict = {}
    arrays = {}
    for text, found in terms.items():
        sizes = [_byte_length(lengths[docnum]) for docnum, _w, _p in found]
        out[text] = (found, min(sizes), max(sizes), max(w for _d, w, _p in found))
        codes = [
            docnum * 65536 + min(p, MAX_POSITION)
            for docnum, _w, where in found
            for p in where[:MAX_POSITION]
        ]
        arrays[text.decode("utf-8")] = (
            [d for d, _w, _p in found],
            [w for _d, w, _p in found],
            codes,
        )
    out["lengths"] = [_byte_length(n) if n else None for n in lengths]  # None: no text
    out["arrays"] = arrays
    return out


def _byte_length(length: int) -> int:
    return byte_to_length(length_to_byte(length))


def _bulk_text_index(values: list):
    index = PrivateRamStorage().create_index(build_schema())
    writer = BulkWriter(index)
    for n, value in enumerate(values):
        writer.add_document(doc_id=f"d{n}", service_id=f"s{n}", all=value)
        if n % 50 == 49:
            forget_texts()  # as a build worker does after each batch of services
    writer.commit()
    return index, writer.spelling


def test_bulk_text_postings_are_the_plain_paths_over_many_batches(monkeypatch):
    """Seeded synthetic texts, grouped in many small batches: every posting's document,
    weight and positions, the field lengths, the block statistics, the arrays file and the
    spelling counts are what the plain path gives."""
    monkeypatch.setattr(bulk, "TEXT_BATCH", 500)
    monkeypatch.setattr(bulk, "VALUES_AT_ONCE", 300)
    values = _synthetic_values(3, 400)
    index, spelling = _bulk_text_index(values)
    found, expected = _text_postings(index), _expected_text_postings(values)
    assert found["lengths"] == expected["lengths"]
    assert found["arrays"] == expected["arrays"]
    assert found.keys() == expected.keys()
    assert [k for k in expected if found[k] != expected[k]] == []
    assert max(len(v[0]) for k, v in expected.items() if isinstance(k, bytes)) > 2 * 128
    field = WeightedText()
    counts: Counter[str] = Counter()
    for value in values:
        counts.update(field.spelling_words(value))
    assert spelling == counts


def test_bulk_text_postings_of_very_long_texts():
    """A word more than 1,000 times in one document (its positions pickle in batches) and
    texts of more than 65,535 words (the arrays file keeps such positions as 65,535, and the
    first 65,535 of a word's positions in a document)."""
    long = " ".join(["food bank"] * 33_000 + ["food"] * 33_000)
    values = [
        [(4.0, "Food bank"), (1.0, long)],
        [(1.0, "debt advice " * 700), (0.5, "Chester")],
        [(2.0, "")],
        "warm space",
        [(1.0, "the of and")],
    ]
    index, _spelling = _bulk_text_index(values)
    found, expected = _text_postings(index), _expected_text_postings(values)
    assert len(found[b"food"][0][0][2]) == 66_001
    assert found == expected
