"""Session listeners are installed by the app factory (directory/listeners.py), not by importing
a module: every session the app makes has them, in order (geocoding before the change log),
and a session on a bare engine has none until someone installs them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from directory import listeners
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db, make_engine
from directory.listings import changes
from directory.models import ChangeRecord, ListingChange, Location, Service
from directory.places import geocode
from search_index import sync
from tests.factories import make_service
from tests.listings.fixtures.gazetteer import import_gazetteer  # noqa: F401


def test_importing_the_app_installs_nothing_on_every_session():
    import directory.models  # noqa: F401

    for module, name in ((geocode, "before_flush"), (changes, "before_flush")):
        assert not event.contains(Session, name, module._before_flush)
    assert not event.contains(Session, "after_commit", sync._after_commit)


def test_request_command_and_new_sessions_all_log_changes(app: Flask):
    with app.app_context():
        with unit_of_work(db.session, Actor.system("test")):
            service = make_service(db.session, "Hoole Chess Club")
        with db.new_session() as other, unit_of_work(other, Actor.system("other")):
            other.get(Service, service.id).fees = "Free"
        logged = set(db.session.scalars(select(ChangeRecord.updated_by)))
        assert logged == {"system:test", "system:other"}
        location_id = db.session.scalars(select(Location.id)).first()
        result = app.test_cli_runner().invoke(args=["places", "set-kind", location_id, "lets_talk"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        assert "system:places-set-kind" in set(db.session.scalars(select(ChangeRecord.updated_by)))


def test_geocoding_runs_before_the_change_log(app: Flask, import_gazetteer: str):  # noqa: F811
    """A postcode changed: geocoding moves the place, and the same flush's log records it."""
    app.config["GAZETTEER_PATH"] = import_gazetteer
    with app.app_context():
        with unit_of_work(db.session, Actor.system("test")):
            service = make_service(db.session, "Blacon Lunch Club", places=("chester",))
        location = service.service_at_locations[0].location
        assert location.geocode_source == "postcode"
        before = (location.latitude, location.longitude)
        with unit_of_work(db.session, Actor.user("editor-1")):
            location.addresses[0].postal_code = "CW9 5AA"  # Northwich
        assert (location.latitude, location.longitude) != before
        moved = db.session.scalars(
            select(ChangeRecord).where(
                ChangeRecord.resource_id == location.id, ChangeRecord.field_name == "latitude"
            )
        ).one()
        assert moved.updated_by == "user:editor-1"
        assert float(moved.replacement_value) == location.latitude


def test_a_bare_engine_gets_the_listeners_only_when_asked(app: Flask):
    url = app.config["DATABASE_URL"]
    engine = make_engine(url)
    bare, equipped = sessionmaker(bind=engine), sessionmaker(bind=engine)
    listeners.install(equipped)
    listeners.install(equipped)  # twice is the same as once
    with bare() as session:
        make_service(session, "Upton Quiet Hour")
        session.commit()
        assert session.scalars(select(ListingChange)).all() == []
    with equipped() as session:
        loud = make_service(session, "Upton Loud Hour")
        session.commit()
        assert {c.service_id for c in session.scalars(select(ListingChange))} == {loud.id}
    engine.dispose()
