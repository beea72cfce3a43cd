"""A second held-out query set over untagged listings (issue 11, "Measure").

``listings.json`` (an ORUK 1.0 style council feed, 32 listings) and ``outpost_page.json``
(an Outpost API page, 28 listings) carry only their feeds' own categories, never our need
terms. These queries were written on 2026-12-07 by someone who had not seen the engine's
results on them, without reading the curated vocabulary, the taxonomy, the crosswalks, the
inference code or the first set's cases and listings, and were committed together with the
listings before the engine was run on them. See SOURCE.md.

Each query is written from the need, as a resident, carer or link worker would type it,
not by lifting words from the listings. ``right`` names every listing a link worker would be
glad to see for that query; where one service appears in both feeds (2101/7301, 2115/7319,
2124/7325) or twice in one (2103/2128) both ids are right. Listings that only share a word
with a query (the "Debt of Honour" history talks, the "Memory Lane" tea dance for memory
queries, the pet food bank for food bank queries, "Energise!" for energy bills, hospital
radio for leaving hospital) are never right answers for it.

The engine runs at the fixed time of the other relevance tests, Tuesday 25 November 2025
11:00, so "today" is a Tuesday.

Never edit a case after seeing results, and never tune the engine against this set: when a
case fails, fix the general cause, and write new held-out cases after any tuning.
"""

from __future__ import annotations

from tests.search_index.untagged.cases import UntaggedCase

__all__ = ["CASES", "UntaggedCase"]

C = UntaggedCase

CASES: tuple[UntaggedCase, ...] = (
    # --- food and money --------------------------------------------------------------------
    C("food bank", ("2102", "2101", "7301"), note="pet food bank 2132 is a decoy"),
    C("I can't afford to feed my kids this week", ("2102", "2101", "7301")),
    C("cheap groceries blacon", ("2101", "7301")),
    C("food parcel", ("2102",)),
    C("food bank", ("2102",), place="Ellesmere Port"),
    C("struggling to pay my gas and electric", ("2104",)),
    C("prepayment meter run out of credit", ("2104",)),
    C("help with energy bills", ("2104",), note="Energise! dance fitness is a decoy"),
    C("benefits advice", ("2105",)),
    C("help filling in PIP form", ("2105",)),
    C("universal credit help northwich", ("2105",)),
    C("in debt", ("2106", "2105"), note="'Debt of Honour' history talks are a decoy"),
    C("bailiffs at my door", ("2106",)),
    C("council tax arrears", ("2106", "2105")),
    C("debt advice", ("2106", "2105")),
    # --- housing -----------------------------------------------------------------------------
    C("being evicted", ("2107", "2105")),
    C("landlord gave me a section 21", ("2107", "2105")),
    C("homeless", ("2108",)),
    C("homless", ("2108",), note="misspelt"),
    C("nowhere to sleep tonight chester", ("2108",)),
    C("somewhere to have a shower and wash my clothes", ("2108",)),
    C("grab rails fitted", ("2131",)),
    C("small repairs for elderly", ("2131", "7331")),
    # --- warm spaces and loneliness ------------------------------------------------------------
    C("warm place to go", ("2103", "2128")),
    C("warm space open today", ("2103", "2128")),
    C("warm space", ("2103", "2128"), place="Hoole"),
    C("lonely", ("2109", "7309", "7316", "7307", "7324", "2103", "2128")),
    C("my mum lives alone and never sees anyone", ("2109", "7331", "7307", "7324")),
    C("someone to phone me for a chat", ("2109",)),
    C("befriending service", ("2109", "7331")),
    # --- older people's activities -------------------------------------------------------------
    C("lunch club", ("7307", "7324")),
    C("lunch club today", ("7307",)),
    C("lunch club", ("7307",), place="Lache"),
    C("hot meal for pensioners parkgate", ("7324",)),
    C("tea dance", ("7308",)),
    C("things to do for over 60s", ("7307", "7308", "7324", "7330", "7309", "7310")),
    C("mens shed", ("7309",)),
    C("men's shed", ("7309",), place="Parkgate"),
    C("woodwork group for retired men", ("7309",)),
    C("knitting group", ("7316",)),
    C("crafts", ("7316", "7314")),
    # --- dementia and carers -------------------------------------------------------------------
    C("dementia", ("2110",)),
    C("demensia", ("2110",), note="misspelt"),
    C("dementia", ("2110",), place="Upton"),
    C("memory cafe upton", ("2110",), note="the Memory Lane tea dance is a decoy"),
    C("my husband keeps forgetting things", ("2110",)),
    C("alzheimers support group for carers", ("2110", "2111")),
    C("support for carers", ("2111", "2112", "2130")),
    C("I look after my disabled son and need a break", ("2111", "7322")),
    C("carers allowance", ("2111", "2105")),
    C("young carers", ("2112",)),
    C("my 12 year old looks after her mum", ("2112",)),
    C("raising my grandson", ("2130",)),
    # --- mental health and crisis -------------------------------------------------------------
    C("anxiety", ("2113", "7314")),
    C("depression counselling", ("2113", "7306")),
    C("feeling low can I refer myself", ("2113",)),
    C("ptsd", ("2113",)),
    C("I can't cope anymore and it's late at night", ("2114",)),
    C("crisis cafe", ("2114",)),
    C("suicidal thoughts", ("2114",)),
    C("my teenager is struggling with their mental health", ("7306",)),
    C("something for my mental health", ("2114", "7314", "2113"), place="Chester"),
    C("mental heath", ("2113", "2114", "7314", "7306"), note="misspelt"),
    C("art group for mental health", ("7314",)),
    # --- domestic abuse -----------------------------------------------------------------------
    C("my partner hurts me", ("2115", "7319")),
    C("domestic violence refuge", ("2115", "7319")),
    C("husband controls all our money and won't let me see friends", ("2115", "7319")),
    C("IDVA", ("2115", "7319")),
    C("domestic abuse", ("2115", "7319"), place="Northwich"),
    # --- bereavement ------------------------------------------------------------------------
    C("bereavement group", ("2116", "7333")),
    C("bereavment", ("2116", "7333"), note="misspelt"),
    C("my dad died and I don't know how to cope", ("2116",)),
    C("child grieving after losing grandad", ("7333",)),
    C("bereavement", ("2116",), place="Frodsham"),
    # --- addiction -----------------------------------------------------------------------------
    C("drinking too much", ("2117",)),
    C("alcaholic", ("2117",), note="misspelt"),
    C("drug rehab northwich", ("2117",)),
    C("gambling addiction", ("2118",)),
    C("my son spends all his money on online betting", ("2118",)),
    # --- disability and sensory loss ----------------------------------------------------------
    C("adapted bikes for disabled people", ("2119",)),
    C("wheelchair accessible cycling", ("2119",)),
    C("disabled swimming with a hoist", ("7312",)),
    C("hearing aid batteries", ("2120",)),
    C("going deaf", ("2120",)),
    C("hearing loss", ("2120",), place="Neston"),
    C("losing my sight", ("2121",)),
    C("macular degeneration support", ("2121",)),
    C("autism social group for adults", ("7321",)),
    C("EHCP help", ("7322",)),
    # --- digital skills and English -----------------------------------------------------------
    C("help with my phone", ("2122", "7330")),
    C("computer classes for older people", ("7330", "2122")),
    C("how to use the NHS app", ("2122",)),
    C("video call my grandchildren", ("7330", "2122")),
    C("learn english", ("2123", "7318")),
    C("esol winsford", ("2123",)),
    # --- transport, shopping and prescriptions -------------------------------------------------
    C(
        "lift to hospital appointment",
        ("2124", "7325", "7331", "7327"),
        note="hospital radio is a decoy",
    ),
    C("dial a ride", ("7327",)),
    C("community transport tarporley", ("2124", "7325")),
    C("someone to collect my prescription", ("7331", "2127")),
    C("help with shopping after coming out of hospital", ("2127", "7331")),
    C("just been discharged from hospital and live alone", ("2127",)),
    # --- volunteering and work ---------------------------------------------------------------
    C("volunteering", ("2125", "7334")),
    C("i want to volunteer at the hospital", ("7334", "2125")),
    C("help finding a job", ("7329", "2126")),
    C("cv help winsford", ("7329",)),
    C("job club", ("7329",), place="Winsford"),
    C("back to work with a disability", ("2126",)),
    # --- parents, children and young people ---------------------------------------------------
    C("baby group", ("7302",)),
    C("mum and baby group handbridge", ("7302",)),
    C("struggling with a newborn and feeling low", ("7304", "7302", "2113")),
    C("home visits for families with toddlers", ("7304",)),
    C("youth club", ("7305",)),
    C("youth club friday night", ("7305",)),
    C("youth club", ("7305",), place="Great Sutton"),
    C("lgbt youth group", ("7320",)),
    C("my son is trans and wants to meet others like him", ("7320",)),
    # --- sport, arts, faith, refugees ---------------------------------------------------------
    C("chair exercise", ("7310",)),
    C("exercise class for older people", ("7310",)),
    C("excersize class", ("7310", "7335"), note="misspelt"),
    C("dance fitness helsby", ("7335",)),
    C("keep fit", ("7335", "7310")),
    C("choir", ("7315",)),
    C("mosque", ("7317",)),
    C("friday prayers chester", ("7317",)),
    C("asylum seeker support", ("7318",)),
    C("refugee", ("7318", "2123")),
    C("pet food bank", ("2132",)),
    # --- services named directly, and one elsewhere -------------------------------------------
    C("The Lighthouse", ("2114",)),
    C("wheel life", ("2119",)),
    C("little stars", ("7333",)),
    C("safe steps", ("2115", "7319")),
    C("gambling help liverpool", ("2118",)),
)
