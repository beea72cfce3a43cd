"""A query that names a service or a place ("let's talk", "glitch") ranks the listings it
names first, the nearest first; a query naming a need ("debt") does not favour listings with
that word in their names."""

from __future__ import annotations

from search_index import SearchRequest
from search_index.documents import build_memory_index, name_terms
from search_index.engine import build_context, run_search
from tests.factories import make_service

BLACON = "CH1 5BE"


def _search(app, session, **kwargs):
    index = build_memory_index(session)
    with index.searcher() as searcher:
        return run_search(searcher, SearchRequest(**kwargs), build_context(session, app=app))


def test_name_terms_are_the_stems_of_every_name():
    assert name_terms("Let's Talk Blacon", None, "The Bluecoat") == "blacon bluecoat let talk"


def test_naming_a_service_ranks_its_sites_first_nearest_first(fresh_app):
    from directory.db import db

    with fresh_app.app_context():
        session = db.session
        make_service(session, "Let's Talk Ellesmere Port", places=("ellesmere_port",))
        make_service(session, "Let's Talk Blacon", places=("blacon",))
        make_service(
            session, "Talk It Through", places=(), delivery_modes=["online"],
            needs=("Mental health",), service_areas=("E06000050",),
            description="Talk to someone online about how you feel. Let us listen: talk, "
            "talk and talk again.",
        )  # fmt: skip
        make_service(session, "Chester Talking Newspaper", places=("blacon",))
        session.commit()
        results = _search(fresh_app, session, text="let's talk", place=BLACON, radius_km=20)
    names = [hit.name for hit in results.hits]
    assert names[:2] == ["Let's Talk Blacon", "Let's Talk Ellesmere Port"]
    assert "Talk It Through" in names[2:]


def test_a_need_word_in_a_name_earns_no_lift(fresh_app):
    from directory.db import db

    with fresh_app.app_context():
        session = db.session
        make_service(session, "Money Matters", places=("blacon",), needs=("Debt advice",))
        make_service(
            session, "Northwich Debt Drop-in", places=("northwich",), needs=("Debt advice",)
        )
        session.commit()
        results = _search(fresh_app, session, text="debt", place=BLACON)
    assert results.hits[0].name == "Money Matters"


def test_a_name_starting_with_a_place_is_searched_as_a_name(fresh_app):
    """ "Blacon Lunch Club" names a listing: taking "Blacon" as the place would lose it when
    it has no venue there; "lunch club" alone near Blacon still filters by place."""
    from directory.db import db

    with fresh_app.app_context():
        session = db.session
        make_service(session, "Blacon Lunch Club", places=(), delivery_modes=["phone"],
                     service_areas=())  # fmt: skip
        make_service(session, "Hoole Lunch Club", places=("hoole",))
        session.commit()
        named = _search(fresh_app, session, text="blacon lunch club")
        near = _search(fresh_app, session, text="lunch club", place=BLACON)
    assert named.hits[0].name == "Blacon Lunch Club" and named.place is None
    assert "Blacon Lunch Club" not in [hit.name for hit in near.hits]


def test_a_name_whose_words_also_mean_a_need_still_names_its_sites(fresh_app):
    """In the seed vocabulary "let's talk" is also a way of saying a need, so every word of
    the query has a meaning; the sites named "Let's Talk <place>" must still come first."""
    from directory.db import db
    from tests.factories import term

    with fresh_app.app_context():
        session = db.session
        make_service(session, "Let's Talk Ellesmere Port", places=("ellesmere_port",), needs=())
        make_service(session, "Let's Talk Blacon", places=("blacon",), needs=())
        make_service(
            session, "Online Advice Chat", places=(), delivery_modes=["online"],
            needs=("Mental health",), service_areas=("E06000050",),
        )  # fmt: skip
        term(session, "Mental health").synonyms = ["let's talk"]
        session.commit()
        results = _search(fresh_app, session, text="let's talk", place=BLACON, radius_km=20)
        debt = _search(fresh_app, session, text="mental health", place=BLACON, radius_km=20)
    names = [hit.name for hit in results.hits]
    assert names[:2] == ["Let's Talk Blacon", "Let's Talk Ellesmere Port"]
    assert "Online Advice Chat" in names
    assert debt.hits[0].name == "Online Advice Chat"


def test_among_named_listings_the_nearest_comes_first(fresh_app):
    """The programme's own listing covers the whole area and its words also mean a need, so
    its text scores highest; a site of the programme next door still comes first."""
    from directory.db import db
    from tests.factories import term

    with fresh_app.app_context():
        session = db.session
        make_service(
            session, "Let's Talk", places=(), delivery_modes=["phone"], needs=("Mental health",),
            service_areas=("E06000050",), description="Let's Talk zones: let's talk about it.",
        )  # fmt: skip
        make_service(session, "Let's Talk Blacon", places=("blacon",), needs=())
        term(session, "Mental health").synonyms = ["let's talk"]
        session.commit()
        results = _search(fresh_app, session, text="let's talk", place=BLACON)
    assert [hit.name for hit in results.hits][:2] == ["Let's Talk Blacon", "Let's Talk"]
