"""The offer pages for the browser and axe sweep (tests/browser/private_site.py): the start
and first question of /offer-help, the staff list and one offer's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from directory.help_offers.models import HelpOffer, OfferKind, OfferStatus


def add_offer_pages(session: Session, site: Any) -> None:
    """A volunteer's offer waiting for a check (with every answer filled in, so the staff page
    shows each row); commits, and names the pages in ``site.pages``."""
    offer = HelpOffer(
        reference="OFF-BRWS-22",
        kind=OfferKind.VOLUNTEER,
        status=OfferStatus.PENDING_CHECK,
        description="I can do weekly shopping and collect prescriptions.",
        postcode="CH1 5BE",
        outcode="CH1",
        latitude=53.20532,
        longitude=-2.91506,
        radius_km=4.0,
        areas=["E06000050", "Blacon"],
        availability=["mon-am", "wed-pm"],
        capacity=2,
        name="Val Unteer",
        phone="07700 900982",
        email="val@example.net",
    )
    session.add(offer)
    session.commit()
    site.ids["offer"] = offer.id
    site.pages.update(
        {
            "offer_help": ("anonymous", "/offer-help"),
            "offer_help_who": ("anonymous", "/offer-help/who"),
            "offer_help_member": ("member", "/offer-help"),
            "staff_offers": ("moderator", "/staff/offers/"),
            "staff_offer": ("moderator", f"/staff/offers/{offer.id}"),
        }
    )
