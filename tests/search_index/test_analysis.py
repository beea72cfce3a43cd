"""Text analysis: folding, stop words, stems, query words, quoted phrases and highlighting."""

from __future__ import annotations

from search_index.analysis import (
    MAX_QUERY_CHARS,
    clean_text,
    fold_word,
    highlight,
    index_terms,
    query_words,
    quoted_phrases,
    stem_word,
    text_analyzer,
)


def test_folding_drops_case_accents_apostrophes_and_possessives():
    assert fold_word("Café") == "cafe"
    assert fold_word("MUM'S") == "mum"
    assert fold_word("can\u2019t") == "cant"
    assert fold_word("\uff21\uff22\uff23") == "abc"  # full-width letters pasted from elsewhere


def test_stems_join_the_forms_residents_use():
    assert stem_word("befriending") == stem_word("befriend")
    assert stem_word("isolated") == stem_word("isolation")
    assert stem_word("lonely") == stem_word("loneliness")
    assert stem_word("counsellor") == stem_word("counselling")


def test_the_index_and_the_query_agree_on_terms():
    text = "Befriending for lonely Mums in Ellesmere Port's café"
    analysed = [token.text for token in text_analyzer()(text)]
    assert analysed == index_terms(text)
    assert [w.stem for w in query_words(text)] == analysed


def test_query_words_drop_stop_words_and_mark_filler_words():
    words = query_words("I need someone to help my mum with her bills")
    assert [w.folded for w in words] == ["need", "someone", "help", "mum", "bills"]
    assert [w.soft for w in words] == [True, True, True, True, False]


def test_query_syntax_is_just_punctuation():
    words = query_words('name:debt AND (food OR "bank") NOT * ~2 ^3')
    assert [w.folded for w in words] == ["name", "debt", "food", "bank", "2", "3"]


def test_quoted_phrases_are_found_and_unbalanced_quotes_ignored():
    assert quoted_phrases('"food bank" in "Blacon"') == ["food bank", "Blacon"]
    assert quoted_phrases("\u201cknit and natter\u201d") == ["knit and natter"]
    assert quoted_phrases('an "open quote') == []


def test_clean_text_removes_control_characters_and_cuts_long_input_at_a_word():
    assert clean_text("debt\x00\x1b[31m advice\u200b") == "debt [31m advice"
    long = "help " * 5000
    cleaned = clean_text(long)
    assert len(cleaned) <= MAX_QUERY_CHARS and cleaned.endswith("help")
    assert clean_text(None) == ""  # type: ignore[arg-type]


def test_highlight_escapes_then_marks_whole_words():
    html = highlight("<b>Debt</b> & debts advice; indebted", {stem_word("debt")})
    assert html == "&lt;b&gt;<mark>Debt</mark>&lt;/b&gt; &amp; <mark>debts</mark> advice; indebted"


def test_highlight_shows_the_part_with_the_most_matches():
    text = "Opening words. " * 30 + "Our food bank gives food parcels. " + "Closing words. " * 30
    html = highlight(text, {stem_word("food")}, width=120)
    assert html.startswith("\u2026 ") and html.endswith(" \u2026")
    assert html.count("<mark>") == 2
    assert len(highlight(text, set(), width=120)) < 130
