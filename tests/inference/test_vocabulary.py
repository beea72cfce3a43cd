"""The curated vocabulary found in listings' own words: what counts, what does not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.inference.services import THRESHOLD, combine
from directory.inference.terms import CuratedTerms
from directory.inference.text import SourceTerm, plain_text, sentences
from directory.inference.vocabulary import VocabularyMatcher
from tests.inference.conftest import text_of


def inferred(matcher: VocabularyMatcher, curated: CuratedTerms, **fields) -> dict[str, float]:
    """Codes of the terms kept (as infer_services keeps them), with their confidence."""
    decisions = combine(matcher.candidates(text_of(**fields)), curated)
    return {curated.code[t]: d.confidence for t, d in decisions.items()}


def proposed(matcher: VocabularyMatcher, curated: CuratedTerms, **fields) -> set[str]:
    """Codes of every term with any evidence at all, however weak."""
    return {curated.code[c.term_id] for c in matcher.candidates(text_of(**fields))}


def family(curated: CuratedTerms, code: str) -> set[str]:
    """A term's code and its descendants' codes."""
    term_id = curated.by_code(code)
    return {curated.code[t] for t in curated.terms if term_id in curated.ancestors(t)}


def test_a_memory_cafe_gets_the_memory_cafe_need(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Memory Cafe",
        description="<p>A relaxed monthly get-together with tea, cake and music.</p>",
    )
    assert "memory-cafes" in found
    assert found["memory-cafes"] >= THRESHOLD
    assert curated.by_code("dementia") in curated.ancestors(curated.by_code("memory-cafes"))


def test_glitch_with_an_html_description_gets_digital_help(matcher, curated):
    description = (
        "<p><strong>Glitch</strong> is a free weekly drop-in where friendly volunteers help you "
        "get to grips with your smartphone, tablet or laptop.</p><ul><li>Setting up email</li>"
        "<li>Video calls with family</li></ul>"
    )
    found = inferred(matcher, curated, name="Glitch", description=description)
    assert set(found) & family(curated, "digital-help"), found
    evidence = [c.evidence for c in matcher.candidates(text_of("Glitch", description))]
    assert not any("<" in e for e in evidence)


def test_our_greatest_hits_is_not_domestic_abuse(matcher, curated):
    fields = {
        "name": "Encore Singers",
        "description": "A community choir. We rehearse our greatest hits every Tuesday and "
        "perform at care homes at Christmas.",
    }
    found = proposed(matcher, curated, **fields)
    assert not found & family(curated, "domestic-abuse")
    assert found & (family(curated, "creative-activities") | {"social-groups"})


def test_a_partner_who_hits_is_domestic_abuse(matcher, curated):
    found = proposed(
        matcher, curated, name="Safe Steps", description="Support if your partner hits you."
    )
    assert found & family(curated, "domestic-abuse")


def test_a_negated_saying_is_not_evidence(matcher, curated):
    said = "A social afternoon at weekends. This is a bereavement group."
    negated = "A social afternoon at weekends. This is not a bereavement group."
    assert "bereavement" in proposed(matcher, curated, name="Sunday Social", description=said)
    assert "bereavement" not in proposed(
        matcher, curated, name="Sunday Social", description=negated
    )


def test_not_just_is_not_a_negation(matcher, curated):
    found = proposed(matcher, curated, name="Lunch", description="Not just for older people.")
    assert "older-people" in found


def test_a_longer_saying_wins_over_a_word_inside_it(matcher, curated):
    found = proposed(matcher, curated, name="Sight and Hearing Loss Outreach", description="")
    assert "bereavement" not in found
    assert found & family(curated, "sensory-loss")


def test_eligibility_speaks_only_of_client_groups(matcher, curated):
    found = proposed(
        matcher, curated, name="Thursday Club", eligibility="For people with dementia."
    )
    assert "people-with-dementia" in found
    assert not found & family(curated, "dementia")


def test_a_client_group_the_description_is_for_counts_like_eligibility(matcher, curated):
    found = inferred(
        matcher,
        curated,
        name="Rainbow Connections",
        description="A friendly social group for lesbian, gay and bisexual people.",
    )
    assert "lgbtq-people" in found


def test_how_a_service_is_delivered_is_not_a_need(matcher, curated):
    found = proposed(
        matcher, curated, name="Advice Line", description="Available online, by phone or email."
    )
    assert not found & family(curated, "digital-help")


def test_volunteers_running_a_service_are_not_a_volunteering_need(matcher, curated):
    assert "volunteering" not in proposed(
        matcher, curated, name="Listening Line", description="Run by trained volunteers."
    )
    assert "volunteering" in inferred(
        matcher, curated, name="Good Neighbour Volunteers", description="Give a few hours a week."
    )


def test_no_saying_spans_a_comma(matcher, curated):
    # "housing benefit" is a saying of benefits advice; "benefits, housing" is two subjects.
    together = matcher.candidates(text_of("Advice", "Help with housing benefit."))
    apart = matcher.candidates(text_of("Advice", "Help with benefits, housing."))
    assert any("housing benefit" in c.evidence for c in together)
    assert not any("housing" in c.evidence and "benefit" in c.evidence for c in apart)


def test_a_feed_terms_label_is_read_like_a_name(matcher, curated):
    term = SourceTerm("Bristol categories", "bcc:12", "Food banks")
    found = inferred(matcher, curated, name="Trinity Project", source_terms=[term])
    assert "food-banks" in found


def test_filler_and_stop_word_sayings_are_not_used(matcher, curated):
    # "call me" (phone befriending) and "day off" (carer breaks) shrink to one common word.
    found = proposed(
        matcher, curated, name="Day Centre", description="Call us. Open every day except Sunday."
    )
    assert "phone-befriending" not in found
    assert "carer-breaks" not in found


def test_sentences_and_plain_text():
    text = plain_text("<p>One.</p><ul><li>Two</li><li>Three</li></ul>Four &amp; five")
    assert "<" not in text
    assert [s.strip(" .") for s in sentences(text)] == ["One", "Two", "Three", "Four & five"]


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(max_size=80),
    description=st.text(max_size=600),
    eligibility=st.text(max_size=80),
    label=st.text(max_size=40),
)
def test_no_text_makes_inference_raise(matcher, curated, name, description, eligibility, label):
    listing = text_of(
        name,
        description,
        eligibility,
        source_terms=[SourceTerm(label, label, label)],
    )
    candidates = matcher.candidates(listing)
    assert all(0.0 <= c.confidence <= 1.0 for c in candidates)
    assert all(c.term_id in curated.terms and len(c.evidence) < 2000 for c in candidates)
    combine(candidates, curated)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>/&;#p ab\"'=\n"), max_size=200))
def test_no_markup_makes_the_text_reader_raise(markup):
    assert all(part.strip() for part in sentences(plain_text(markup)))
