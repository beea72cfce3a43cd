"""ORUK taxonomy, taxonomy_term (hierarchical) and attribute tables."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.ids import new_id
from directory.db import Base


class Taxonomy(Base):
    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(2048))
    version: Mapped[str | None] = mapped_column(String(64))

    terms: Mapped[list[TaxonomyTerm]] = relationship(
        back_populates="taxonomy_obj", cascade="all, delete-orphan", order_by="TaxonomyTerm.name"
    )


class TaxonomyTerm(Base):
    """A need or client group. ``synonyms`` and ``phrases`` are our own additions for search:
    the words residents type ("skint", "lonley") and whole intent phrases
    ("nobody ever visits me") that share no word with the plain label."""

    __tablename__ = "taxonomy_term"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    taxonomy: Mapped[str | None] = mapped_column(String(255))
    taxonomy_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy.id", ondelete="SET NULL"), index=True
    )
    term_uri: Mapped[str | None] = mapped_column(String(2048))
    term: Mapped[str | None] = mapped_column(String(255), index=True)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    phrases: Mapped[list[str]] = mapped_column(JSON, default=list)

    taxonomy_obj: Mapped[Taxonomy | None] = relationship(back_populates="terms")


class Attribute(Base):
    """Links a taxonomy term to any record. ``link_entity`` (HSDS 3.0 core, absent from the UK
    profile) names the table of ``link_id`` so one table can serve services, organisations and
    locations; ``link_type`` says what the term describes (``need``, ``client_group``)."""

    __tablename__ = "attribute"
    #: ``ix_attribute_term_link``: a term's services from the index alone (the API's taxonomy
    #: filter, read from the term's side: directory.api.filters.taxonomy_side); it serves
    #: lookups by term too. ``ix_attribute_source_term``, partial: the terms linked as a
    #: feed's own vocabulary, which decide the search vocabulary
    #: (search_index.vocabulary.search_terms) at every same-request update and every rebuild
    #: batch; without it each check scanned the whole table (60 ms at 100,000 services).
    __table_args__ = (
        Index("ix_attribute_term_link", "taxonomy_term_id", "link_entity", "link_id"),
        Index(
            "ix_attribute_source_term",
            "taxonomy_term_id",
            postgresql_where=text("link_type = 'source_term'"),
            sqlite_where=text("link_type = 'source_term'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(String(36), index=True)
    link_entity: Mapped[str] = mapped_column(String(64), default="service", index=True)
    link_type: Mapped[str | None] = mapped_column(String(255))
    taxonomy_term_id: Mapped[str] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE")
    )
    value: Mapped[str | None] = mapped_column(Text)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship(lazy="joined")


def link_entity_listener(entity: str):
    """Return an append listener that stamps ``link_entity`` on attributes added to a record.

    The polymorphic join cannot fill in the constant side itself, so without this an attribute
    appended to ``service.attributes`` would be saved without saying what it links to.
    """

    def _set(_target: object, attribute: Attribute, _initiator: object) -> Attribute:
        attribute.link_entity = entity
        return attribute

    return _set
