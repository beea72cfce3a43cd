"""Queries behind the public pages: nothing that is not public gets through."""

from __future__ import annotations

import uuid

from directory.models import ListingStatus, LocationKind
from directory.public import services
from tests.public.conftest import PublicData


def test_public_service_accepts_any_uuid_spelling(session, data: PublicData):
    service = data.service("Blacon Food Bank")
    assert services.get_public_service(session, service.id.upper()) is service
    assert services.get_public_service(session, service.id.replace("-", "")) is service
    assert services.get_public_service(session, "blacon") is None
    assert services.get_public_service(session, str(uuid.uuid4())) is None
    for hidden in data.directory.hidden.values():
        assert services.get_public_service(session, hidden.id) is None


def test_places_of_kind_and_services_at(session, data: PublicData):
    hubs = services.places_of_kind(session, LocationKind.COMMUNITY_HUB)
    assert {p.location.name for p in hubs} >= {"Blacon Community Hub", "Northwich Memorial Court"}
    assert all(p.location.kind == LocationKind.COMMUNITY_HUB for p in hubs)
    draft = data.directory.hidden[ListingStatus.DRAFT]
    location = draft.service_at_locations[0].location
    listed = [sal.service for sal in services.services_at(session, location)]
    assert draft not in listed, "the draft's own record shows only public services"
    assert services.get_public_place(session, location.id) is None
    assert services.get_public_place(session, data.empty_lets_talk.id) is data.empty_lets_talk


def test_safety_terms_include_descendants(session, data: PublicData):
    ids = services.safety_term_ids(session)
    assert len(ids) == 2
    assert services.needs_safety_features(session, [data.refuge])
    assert not services.needs_safety_features(session, [data.demo])
    assert not services.needs_safety_features(session, [])


def test_organisation_needs_a_public_service(session, data: PublicData):
    org = data.service("Blacon Food Bank").organization
    assert services.get_public_organisation(session, org.id) is org
    names = [s.name for s in services.public_services_of(session, org)]
    assert names == sorted(names) and "Blacon Food Bank" in names
    assert not any(name.startswith("Hidden") for name in names)
