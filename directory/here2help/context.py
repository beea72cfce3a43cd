"""What the three file importers share during one run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from directory.core.ids import utcnow
from directory.here2help.needs import NeedMapper
from directory.listings.duplicates.names import name_key, name_words
from directory.places.geocode import Geocoder

#: Every id the import derives, so a second run finds what the first one made.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:community-directory:here2help-import")
SOURCE = "import"


def organisation_key(name: str) -> str:
    """One organisation, however its name is written ("The Hoole Pantry CIC" is "Hoole
    Pantry"): the duplicate finder's name words, sorted."""
    return name_key(name_words(name))


def derived_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


@dataclass
class KnownOrganisation:
    """An organisation of organisations.csv: in the directory already, or proposed."""

    row: int
    name: str
    organization_id: str
    #: The live listing it matched, when it is in the directory.
    service_id: str | None = None


@dataclass
class Context:
    session: Session
    geocoder: Geocoder
    mapper: NeedMapper
    now: datetime = field(default_factory=utcnow)
    organisations: dict[str, KnownOrganisation] = field(default_factory=dict)
    #: Offer reference -> offer id, for requests' ``matched_offer``.
    offers: dict[str, str] = field(default_factory=dict)
    #: Public listings by name words (``organisations.NameIndex``), built when first needed.
    listing_names: Any = None
