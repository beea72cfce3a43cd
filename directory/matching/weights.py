"""Every number the matcher ranks by, in one place, so a change to the ranking is one edit
here, visible in review and in docs/matching.md.

A candidate (an offer or a directory listing) gets five *parts*, each between 0 and 1, and its
score is their weighted sum (0 to 1, shown to staff out of 100). Need carries the most weight
because the wrong kind of help, however close, is no help: a candidate covering every need a
few kilometres away must beat one next door covering half of them (a test holds this).
"""

from __future__ import annotations

#: Weight of each part of the score; they add up to 1.
WEIGHTS: dict[str, float] = {
    "need": 0.45,  # share of the request's needs the candidate covers
    "place": 0.20,  # how near it is, or that it covers the person's area
    "capacity": 0.10,  # spare places (offers); listings do not say
    "availability": 0.10,  # the offer's times against when the person can be contacted
    "freshness": 0.15,  # how recently the listing was checked or the offer updated
}

# Need ------------------------------------------------------------------------------------
#: An offer of a broader term than the one asked for ("Befriending" for "Telephone
#: befriending") counts this much of a match: it may well cover it, staff should check. A
#: narrower term ("Telephone befriending" for "Loneliness and isolation") is a full match.
BROADER_NEED = 0.5

# Place -----------------------------------------------------------------------------------
#: Distance at which the place part is one half: ``1 / (1 + km / DISTANCE_HALF_KM)``.
DISTANCE_HALF_KM = 5.0
#: Place part for a candidate that covers the person's area without a distance: an offer by
#: area, a phone or online service whose service area holds the person's postcode.
AREA_PLACE = 0.5
#: Place part for everyone when the request has no usable postcode (nothing to compare).
UNKNOWN_PLACE = 0.5
#: How far from the person directory listings are looked for (an offer's own radius decides
#: for offers).
LISTING_RADIUS_KM = 15.0
#: Radius of an offer that gives a postcode but neither a radius nor areas.
OFFER_DEFAULT_RADIUS_KM = 5.0
#: An offer's area given as a town or village name covers this far around its centre.
TOWN_RADIUS_KM = 10.0

# Capacity --------------------------------------------------------------------------------
#: Spare places at which the capacity part is full (fewer count pro rata); an offer with no
#: limit counts as full. Full offers are never candidates.
FULL_CAPACITY_AT = 3
#: Capacity part of a listing (a service does not say how many more it can take).
UNKNOWN_CAPACITY = 0.5

# Availability ----------------------------------------------------------------------------
#: The offer's times overlap when the person asked to be contacted, or it is "any time".
AVAILABLE = 1.0
#: The offer gives times but the person gave none we can read.
AVAILABILITY_UNKNOWN = 0.7
#: The offer's times and the person's do not overlap.
NOT_AVAILABLE = 0.2
#: Asked for help today and the offer has no slot today or tomorrow: the part is multiplied
#: by this.
NOT_SOON_FACTOR = 0.5
#: Availability part of a listing (its opening hours are on its own page).
LISTING_AVAILABILITY = 0.5

# Freshness -------------------------------------------------------------------------------
#: Checked (or, for an offer, updated) within this many days: the freshness part is full.
FRESH_DAYS = 90
#: After ``FRESH_DAYS`` the part falls in a straight line to 0 at this many days; a listing
#: unchecked for over a year (``visibility.STALE_AFTER_DAYS``) is therefore well below one
#: checked last month.
FRESHNESS_ZERO_DAYS = 730

# The list ----------------------------------------------------------------------------------
#: Listings are cut to this many times ``limit`` by need and place before their rows are
#: read for freshness (a large directory can hold thousands of food listings within 15 km).
LISTING_PRECUT = 5


def weighted(parts: dict[str, float]) -> float:
    """The score of a candidate from its parts (see :data:`WEIGHTS`)."""
    return sum(WEIGHTS[name] * max(0.0, min(1.0, value)) for name, value in parts.items())
