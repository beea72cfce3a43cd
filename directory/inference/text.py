"""A listing's own words, read the way inference reads them.

Only the fields that say what a listing is and who it is for: the name, the alternate name,
the description (HTML read as plain text, with the names of the listing's own venues taken
out, since "at Ellesmere Port Community Hub" says where, not what), the eligibility text, and
the labels of the feed's own taxonomy terms. Not the organisation: a charity's name ("Age UK")
describes everything it runs, not this listing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.inference import INFERRED_TAXONOMY_ID, INFERRED_TAXONOMY_NAME
from directory.listings.html import html_to_text
from directory.listings.models import Service
from directory.places.models import ServiceAtLocation
from directory.taxonomy.models import Attribute, Taxonomy, TaxonomyTerm

#: ``link_type`` of the attributes linking a listing to its feed's own terms (the importer's
#: contract, ``directory/listings/shapes/terms.py``).
SOURCE_TERM = "source_term"
#: Longest text read per field: a pasted essay cannot slow an import down.
MAX_FIELD_CHARS = 20_000

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\s*\n\s*|\s*[\u2022\u25cf\u25aa]\s*")


def plain_text(value: object) -> str:
    """Any field value as plain text (HTML read as text), at most ``MAX_FIELD_CHARS``."""
    if not isinstance(value, str) or not value:
        return ""
    return html_to_text(value[: MAX_FIELD_CHARS * 2])[:MAX_FIELD_CHARS]


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends, line breaks and bullets."""
    return [part for part in _SENTENCE_END.split(text) if part and part.strip()]


@dataclass(frozen=True)
class SourceTerm:
    """One of the feed's own taxonomy terms on a listing: vocabulary, code and label."""

    vocabulary: str
    code: str
    label: str


@dataclass(frozen=True)
class ListingText:
    service_id: str
    name: str = ""
    alternate_name: str = ""
    description: str = ""
    eligibility: str = ""
    source_terms: tuple[SourceTerm, ...] = field(default=())

    def summary(self, sentences_wanted: int = 3) -> str:
        """The name and the first sentences of the description: what the listing is."""
        first = sentences(self.description)[:sentences_wanted]
        return ". ".join(part.strip(" .") for part in [self.name, *first] if part.strip())


def listing_text(service: Service, source_terms: Iterable[SourceTerm] = ()) -> ListingText:
    description = plain_text(service.description)
    for sal in service.service_at_locations:
        venue = sal.location.name if sal.location is not None else None
        if venue and len(venue) >= 4:
            description = description.replace(venue, " ")
    return ListingText(
        service_id=service.id,
        name=plain_text(service.name),
        alternate_name=plain_text(service.alternate_name),
        description=description,
        eligibility=plain_text(service.eligibility_description),
        source_terms=tuple(source_terms),
    )


def source_terms_of(session: Session, service_ids: list[str]) -> dict[str, list[SourceTerm]]:
    """The feed's own terms of each listing, read in bulk."""
    found: dict[str, list[SourceTerm]] = defaultdict(list)
    for chunk in _chunks(service_ids, 500):
        rows = session.execute(
            select(Attribute.link_id, Taxonomy.name, TaxonomyTerm.taxonomy, TaxonomyTerm.term,
                   TaxonomyTerm.name)
            .join(TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id)
            .outerjoin(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(Attribute.link_entity == "service", Attribute.link_type == SOURCE_TERM,
                   Attribute.link_id.in_(chunk),
                   TaxonomyTerm.taxonomy_id.is_distinct_from(INFERRED_TAXONOMY_ID))
            .order_by(Attribute.id)
        )  # fmt: skip
        for service_id, tax_name, tax_text, code, label in rows:
            vocabulary = tax_name or tax_text or ""
            if vocabulary == INFERRED_TAXONOMY_NAME:
                continue  # our own guesses must never justify themselves
            found[service_id].append(SourceTerm(vocabulary, code or "", label or ""))
    return found


def load_listing_texts(session: Session, service_ids: list[str]) -> list[ListingText]:
    """The texts of the given listings (ids that do not exist are left out)."""
    terms = source_terms_of(session, service_ids)
    out: list[ListingText] = []
    for chunk in _chunks(service_ids, 500):
        services = session.scalars(
            select(Service)
            .where(Service.id.in_(chunk))
            .options(selectinload(Service.service_at_locations).selectinload(
                ServiceAtLocation.location))
        ).unique()  # fmt: skip
        out.extend(listing_text(s, terms.get(s.id, ())) for s in services)
    order = {sid: i for i, sid in enumerate(service_ids)}
    return sorted(out, key=lambda t: order.get(t.service_id, 0))


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
