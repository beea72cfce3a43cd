"""infer_services: what is stored, what is never stored, and that a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.inference import INFERRED_TAXONOMY_ID
from directory.inference.mirror import ensure_inferred_taxonomy, mirror_term_id
from directory.inference.models import InferredTerm, ReviewState
from directory.inference.services import infer_after_import, infer_services, inferred_links
from directory.listings.models import ListingChange
from directory.models import Attribute, TaxonomyTerm
from tests.inference.conftest import add_listing, add_source_term


def term_id(session, code: str) -> str:
    return session.scalars(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.term == code, TaxonomyTerm.taxonomy_id != INFERRED_TAXONOMY_ID
        )
    ).one()


def stored(session, service) -> dict[str, InferredTerm]:
    rows = session.scalars(select(InferredTerm).where(InferredTerm.service_id == service.id))
    codes = {t.id: t.term for t in session.scalars(select(TaxonomyTerm))}
    return {codes[row.taxonomy_term_id]: row for row in rows}


def changes(session) -> int:
    return session.scalar(select(func.count()).select_from(ListingChange))


def test_a_listing_gets_its_terms_with_method_confidence_and_evidence(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "<p>Tea, cake and music once a month.</p>")
    report = infer_services(db_session, [cafe.id], semantic=False)
    rows = stored(db_session, cafe)
    assert "memory-cafes" in rows
    row = rows["memory-cafes"]
    assert row.method == "vocabulary" and row.confidence >= 0.7 and row.link_type == "need"
    assert "Memory Cafe" in row.evidence and row.review == ReviewState.INFERRED
    assert report.added == len(rows) and report.listings[0].name == "Memory Cafe"
    assert report.per_term()["Memory caf\u00e9s"] == 1


def test_a_second_run_changes_nothing(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake for people with dementia.")
    infer_services(db_session, semantic=False)
    db_session.commit()
    before = {
        code: (r.id, r.confidence, r.updated_at) for code, r in stored(db_session, cafe).items()
    }
    seen = changes(db_session)
    again = infer_services(db_session, semantic=False)
    db_session.commit()
    after = {
        code: (r.id, r.confidence, r.updated_at) for code, r in stored(db_session, cafe).items()
    }
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert after == before and changes(db_session) == seen


def test_a_curated_term_or_one_beneath_it_is_never_stored_as_inferred(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "A dementia cafe.", needs=("memory-cafes",))
    infer_services(db_session, [cafe.id], semantic=False)
    rows = stored(db_session, cafe)
    assert "memory-cafes" not in rows and "dementia" not in rows
    curated = [a for a in cafe.attributes if a.link_type == "need"]
    assert [a.taxonomy_term_id for a in curated] == [term_id(db_session, "memory-cafes")]


def test_an_inferred_term_goes_when_the_listing_gets_it_as_a_curated_term(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    infer_services(db_session, [cafe.id], semantic=False)
    assert "memory-cafes" in stored(db_session, cafe)
    cafe.attributes.append(
        Attribute(link_type="need", taxonomy_term_id=term_id(db_session, "memory-cafes"))
    )
    db_session.flush()
    report = infer_services(db_session, [cafe.id], semantic=False)
    assert "memory-cafes" not in stored(db_session, cafe)
    assert term_id(db_session, "memory-cafes") in report.listings[0].removed


def test_a_rejected_term_is_never_added_again_nor_used(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    infer_services(db_session, [cafe.id], semantic=False)
    stored(db_session, cafe)["memory-cafes"].review = ReviewState.REJECTED
    db_session.flush()
    report = infer_services(db_session, [cafe.id], semantic=False)
    rows = stored(db_session, cafe)
    assert rows["memory-cafes"].review == ReviewState.REJECTED
    assert term_id(db_session, "memory-cafes") not in {d.term_id for d in report.listings[0].terms}
    links = inferred_links(db_session, [cafe.id])[cafe.id]
    assert term_id(db_session, "memory-cafes") not in {t for _, t, _ in links}


def test_a_listing_whose_words_change_loses_the_terms_they_no_longer_support(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    infer_services(db_session, [cafe.id], semantic=False)
    db_session.commit()
    seen = changes(db_session)
    cafe.name = "Thursday Club"
    cafe.description = "Food bank: emergency food parcels with a voucher."
    db_session.flush()
    seen = changes(db_session)
    report = infer_services(db_session, [cafe.id], semantic=False)
    rows = stored(db_session, cafe)
    assert "memory-cafes" not in rows and "food-banks" in rows
    assert report.removed >= 1 and report.added >= 1
    assert changes(db_session) == seen + 1  # the search index is told


def test_a_confirmed_term_stays_when_the_words_change(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    infer_services(db_session, [cafe.id], semantic=False)
    stored(db_session, cafe)["memory-cafes"].review = ReviewState.CONFIRMED
    cafe.name = "Thursday Club"
    db_session.flush()
    infer_services(db_session, [cafe.id], semantic=False)
    assert stored(db_session, cafe)["memory-cafes"].review == ReviewState.CONFIRMED


def test_inference_does_not_commit(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    db_session.commit()
    infer_services(db_session, [cafe.id], semantic=False)
    assert stored(db_session, cafe)
    db_session.rollback()
    assert not stored(db_session, cafe)


def test_feed_terms_are_read_through_the_crosswalks(db_session):
    circle = add_listing(db_session, "Parkside Circle", "Meets monthly at the church.")
    add_source_term(db_session, circle.id, "esdServiceTypes", "http://id.esd.org.uk/service/298",
                    "Carers support groups")  # fmt: skip
    infer_services(db_session, [circle.id], semantic=False)
    rows = stored(db_session, circle)
    assert rows["carers-support"].method == "crosswalk"
    assert rows["carers"].link_type == "client_group"
    assert "298" in rows["carers-support"].evidence


def test_our_own_mirror_terms_never_justify_themselves(db_session):
    ensure_inferred_taxonomy(db_session)
    plain = add_listing(db_session, "Parish Office", "Open weekdays 9am to 1pm.")
    mirror = db_session.get(TaxonomyTerm, mirror_term_id(term_id(db_session, "food-banks")))
    plain.attributes.append(Attribute(link_type="source_term", taxonomy_term_id=mirror.id))
    db_session.flush()
    infer_services(db_session, [plain.id], semantic=False)
    assert "food-banks" not in stored(db_session, plain)


def test_the_venue_name_is_not_what_a_listing_is(db_session):
    club = add_listing(
        db_session,
        "Thursday Club",
        "Quizzes and cake every week at Blacon Community Hub.",
        places=("blacon",),
    )
    infer_services(db_session, [club.id], semantic=False)
    assert "information-advice" not in stored(db_session, club)


def test_inferred_links_read_in_bulk(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    office = add_listing(db_session, "Parish Office", "Open weekdays 9am to 1pm.")
    infer_services(db_session, semantic=False)
    links = inferred_links(db_session, [cafe.id, office.id, "not-a-listing"])
    assert links[office.id] == [] and links["not-a-listing"] == []
    assert ("need", term_id(db_session, "memory-cafes")) in {(k, t) for k, t, _ in links[cafe.id]}
    assert all(0.7 <= c <= 1.0 for _, _, c in links[cafe.id])


def test_unknown_ids_are_left_out_and_the_report_says_what_got_nothing(db_session):
    office = add_listing(db_session, "Parish Office", "Open weekdays 9am to 1pm.")
    report = infer_services(db_session, [office.id, "not-a-listing"], semantic=False)
    assert [r.service_id for r in report.listings] == [office.id]
    assert [r.service_id for r in report.without_terms()] == [office.id]
    assert "1 listings" in report.summary()


def test_a_needs_taxonomy_loaded_under_another_id_is_found_by_its_name(session):
    # The test factories' own "Community needs" taxonomy, with ids of its own.
    line = add_listing(session, "Debt Advice Line", "Free help with money you owe.")
    report = infer_services(session, [line.id], semantic=False)
    assert [report.labels[d.term_id] for d in report.listings[0].terms] == ["Debt advice"]


def test_the_sentence_model_is_off_unless_asked_for(app, db_session, monkeypatch):
    office = add_listing(db_session, "Parish Office", "Open weekdays 9am to 1pm.")
    monkeypatch.delenv("INFERENCE_SEMANTIC", raising=False)
    assert infer_services(db_session, [office.id]).methods == ("vocabulary", "crosswalk")
    app.config["INFERENCE_SEMANTIC"] = "0"
    monkeypatch.setenv("INFERENCE_SEMANTIC", "1")
    assert infer_services(db_session, [office.id]).methods == ("vocabulary", "crosswalk")


def test_inference_runs_the_same_on_both_databases(any_db_session):
    session = any_db_session
    cafe = add_listing(session, "Memory Cafe", "Tea and cake.")
    circle = add_listing(session, "Parkside Circle", "Meets monthly.")
    add_source_term(
        session, circle.id, "esdServiceTypes", "esdServiceType:298", "Carers support groups"
    )
    session.commit()
    first = infer_services(session, semantic=False)
    session.commit()
    again = infer_services(session, semantic=False)
    session.commit()
    assert first.added >= 3 and (again.added, again.updated, again.removed) == (0, 0, 0)
    links = inferred_links(session, [cafe.id, circle.id])
    assert {t for _, t, _ in links[circle.id]} >= {term_id(session, "carers-support")}


def test_the_import_hook_infers_and_says_what_it_did_in_the_callers_unit_of_work(db_session):
    cafe = add_listing(db_session, "Memory Cafe", "Tea and cake.")
    office = add_listing(db_session, "Parish Office", "Open weekdays 9am to 1pm.")
    db_session.commit()
    lines = infer_after_import(db_session, [cafe.id, office.id])
    db_session.rollback()  # the caller owns the unit of work: nothing was committed
    assert "memory-cafes" not in stored(db_session, cafe)
    with unit_of_work(db_session, Actor.system("import")):
        lines = infer_after_import(db_session, [cafe.id, office.id])
    db_session.rollback()  # nothing left to undo: the unit of work committed
    assert "memory-cafes" in stored(db_session, cafe)
    assert lines[0].startswith("Need inference (vocabulary, crosswalk): 2 listings, 1 with")
    assert "Memory caf\u00e9s (1)" in lines[1]
    assert lines[2].startswith("1 listings got no need or client group")
