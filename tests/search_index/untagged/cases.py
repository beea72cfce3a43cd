"""Held-out queries over untagged listings (``listings.json``), for issue 11 ("Measure").

Written on 2026-12-06, before any tuning on them, and never tuned against. The queries were
written from a resident's or link worker's point of view for the needs the listings serve,
without reading the curated vocabulary (``seeds/vocabulary.toml``), the taxonomy or the other
relevance sets, and without lifting words from the listings where a resident would not use them.

A listing named in ``right`` is a right answer: one a link worker would be glad to see for
that query (a query may have several). Listings that merely share a word with a query (the
choir's "greatest hits", the library's "bank holidays", the "Food for Thought" book club, the
"Memory Lane" history society) are never right answers for it.

When a case fails, fix the general cause (how HTML is read, how a phrase is matched, how a
place is resolved, what inference reads), never add the case's words to the vocabulary, and
never edit a case to make it pass. Write new held-out cases after any tuning.
"""

from __future__ import annotations

from dataclasses import dataclass

# Listing ids as the feed gives them (integer-like strings and UUIDs), named for reading.
GLITCH = "1047"
BLUECOAT_TUESDAY = "abb92a8c-703d-4f62-897d-ea36e5ae98f5"
OPEN_DOOR = "388"
MEMORY_CAFE = "0155f011-3d74-46f9-ab47-06aa28e5e183"
SING_AND_REMEMBER = "5521"
WARM_HOMES = "2adffaa0-ea31-482b-b1bd-9cadf3ca80f9"
MONEY_MATTERS = "2213"
BLACON_PANTRY = "72a16556-ae19-4f66-a1ca-85800d941594"
PORT_FOODBANK = "774"
HARBOUR = "9cc5f7a3-153f-4991-9e67-0e77f3868bf2"
LIGHTHOUSE = "9001"
LETS_TALK_BLACON = "fb0a852f-5847-41b0-915e-0a50943ef8e1"
LETS_TALK_PORT = "1048"
NESTON_WANDERERS = "3310"
STEP_OUT = "833101a5-8f94-423b-a57e-3cccd6afdc58"
SPLASH = "4420"
LEEDS_WHEELCHAIR_BASKETBALL = "ed9a2c41-61e5-4303-b99c-df2687459ce2"
WORKSHOP = "812"
STITCH_AND_NATTER = "1500"
CANVAS_CLUB = "4740fa1c-f034-4d97-821b-b2b78cbc3f6c"
TIME_OUT = "702"
LIFELINES_CARERS = "e93e3397-c6df-482d-ab35-c5ac8f4cb0d2"
HEAR_HERE = "95"
VISION_SUPPORT = "b0ef7abd-8f12-45ef-935f-6462813d8ee7"
STEADY_STEPS = "4111"
RURAL_WHEELS = "0774eb40-a684-450d-b426-79e36cd5f026"
HELSBY_NEIGHBOURS = "2790"
BREATHING_SPACE = "0f6459d5-c337-4389-b051-16ff20428b71"
BREW_AND_BANTER = "333"
OUT_LOUD = "26d87dcf-7949-4127-ad85-6186d7fe5d36"
WELCOME_HOUSE = "8080"
CHAT_AND_CHAI = "6c4ac0de-f530-48be-836b-b87e1fa3d518"
RESET = "6262"
WILLOW_CAFE = "e11d9555-cdf4-4e15-a94f-f114b1f94118"
NEXT_STEP = "1919"
DO_SOMETHING_GOOD = "1fe484e1-3c2f-4056-8b3d-2a9e93b90dba"
YOUR_VOICE = "5050"
SPECTRUM_PARENTS = "3003"
MATES_WHO_TALK = "d8754345-284e-4204-84fa-3967e284bbb9"
BUMP_BABY_ME = "2121"
HOUSING_OPTIONS = "add63181-fb33-4597-9c27-9ebc86c52fe8"
CHATTERBOX = "6006"
FRIDAY_LUNCH_CLUB = "447473f9-26c0-4911-b520-f7fa76f892e1"
LACHE_FRIDGE = "7007"
FORGET_ME_NOT = "431fa027-8e9f-4b17-b4ca-61796d4feeba"
CARERS_SPACE = "9100"
STEPCLEAR = "19fffb19-d07a-41f1-aa18-4b93173107b4"
WORCESTER_WHEELERS = "9200"
SPEAK_EASY = "c9c672e8-f645-45f5-87d0-fef573fac788"
SILVER_CHAT = "10001"
QUIET_HOUR = "1719d245-5d28-44e5-ba23-8a2df273e15e"
FOLD = "10002"
WARM_WELCOME = "6aad6bd3-82a7-4c3f-8c6b-711019e50802"


@dataclass(frozen=True)
class UntaggedCase:
    """One query: its words, the listing ids that are right answers, the "where" box."""

    text: str
    right: tuple[str, ...]
    place: str | None = None
    note: str = ""


DEMENTIA = (MEMORY_CAFE, SING_AND_REMEMBER, FORGET_ME_NOT)
ENGLISH = (CHAT_AND_CHAI, WELCOME_HOUSE, SPEAK_EASY)
CRISIS = (LIGHTHOUSE, QUIET_HOUR)
LONELY = (CHATTERBOX, SILVER_CHAT, FRIDAY_LUNCH_CLUB)
FOOD = (PORT_FOODBANK, BLACON_PANTRY, LACHE_FRIDGE)
DEBT = (MONEY_MATTERS, STEPCLEAR)
CARERS = (LIFELINES_CARERS, CARERS_SPACE)

C = UntaggedCase
CASES: list[UntaggedCase] = [
    # Memory and dementia
    C("memory problems", DEMENTIA, note="issue 11 example; 'Memory Lane Society' is a decoy"),
    C("dementure", DEMENTIA, note="misspelling"),
    C("alzheimers support", DEMENTIA),
    C("mum keeps forgetting things", DEMENTIA, note="need implied, not named"),
    C("my husband has dementia and I need a break", CARERS + DEMENTIA),
    C("dementia cafe", (MEMORY_CAFE, SING_AND_REMEMBER), place="Northwich"),
    # Money, energy and food
    C("can't pay my energy bill", (WARM_HOMES, *DEBT), note="issue 11 example"),
    C("behind on gas and electric", (WARM_HOMES, MONEY_MATTERS)),
    C("prepayment meter has run out", (WARM_HOMES,)),
    C("too cold at home cant afford the heating", (WARM_HOMES, WARM_WELCOME)),
    C("somewhere warm to sit during the day", (WARM_WELCOME,)),
    C("benifits advice", (MONEY_MATTERS,), note="misspelling"),
    C("debt", DEBT),
    C("bailiffs keep sending letters", DEBT),
    C("food bank", FOOD, note="'Port Foodbank' is one word; the library's bank holidays decoy"),
    C("no food in the house and no money till payday", FOOD),
    C("cheap food shop blacon", (BLACON_PANTRY,), note="place in the text"),
    C("free food", (LACHE_FRIDGE,), place="Lache"),
    C("foodbank", (PORT_FOODBANK,), place="Ellesmere Port"),
    # English, refugees
    C("learn english", ENGLISH, note="issue 11 example"),
    C("english classes for my wife, she is from Syria", ENGLISH),
    C("esol", ENGLISH, note="acronym"),
    C("asylum seeker", (WELCOME_HOUSE, SPEAK_EASY)),
    C("refugee help", (WELCOME_HOUSE, SPEAK_EASY)),
    # Disability, sport and getting about
    C("wheelchair swimming", (SPLASH,), note="issue 11 example; the listing says 'swim'"),
    C("disabled sports", (SPLASH, LEEDS_WHEELCHAIR_BASKETBALL, WORCESTER_WHEELERS)),
    C("bikes for disabled people", (WORCESTER_WHEELERS,)),
    C("no bus to get to my hospital appointment", (RURAL_WHEELS, HELSBY_NEIGHBOURS)),
    C("dial a ride", (RURAL_WHEELS,)),
    C("someone to pick up my prescription", (HELSBY_NEIGHBOURS,)),
    C("help with shopping, I'm housebound", (HELSBY_NEIGHBOURS,)),
    C("keep falling over", (STEADY_STEPS,)),
    C("exercise class to stop my nan falling", (STEADY_STEPS,)),
    C("balance classes in Upton", (STEADY_STEPS,), note="Upton-by-Chester, in the text"),
    C("going deaf", (HEAR_HERE,)),
    C("hearing aid needs new tubes", (HEAR_HERE,)),
    C("losing my sight", (VISION_SUPPORT,)),
    C("macular degeneration", (VISION_SUPPORT,), note="a condition the listing never names"),
    # Abuse and crisis: the urgent listing is the right answer
    C("my partner hits me", (HARBOUR,), note="issue 11 example; the choir's 'greatest hits'"),
    C("my husband controls my money and wont let me see my friends", (HARBOUR,)),
    C("frightened of my ex", (HARBOUR,)),
    C("domestic violence", (HARBOUR,)),
    C("I don't want to be alive anymore", CRISIS),
    C("feeling suicidal", CRISIS),
    C("mental health crisis tonight", CRISIS),
    # Loneliness, bereavement, mental health
    C("I feel so alone since my wife died", (WILLOW_CAFE, *LONELY)),
    C("lonely", LONELY),
    C("no one to talk to, I'm 82 and live on my own", LONELY),
    C("befriending", (CHATTERBOX, SILVER_CHAT)),
    C("lunch club for older people in Handbridge", (FRIDAY_LUNCH_CLUB,)),
    C("bereavement", (WILLOW_CAFE,)),
    C("grief after losing my mum", (WILLOW_CAFE,)),
    C("bereavement group in Whitby", (WILLOW_CAFE,), note="Whitby, Ellesmere Port"),
    C("men's mental health", (MATES_WHO_TALK,)),
    C("feeling low and anxious", (MATES_WHO_TALK, CANVAS_CLUB, LIGHTHOUSE)),
    C("postnatal depression", (BUMP_BABY_ME,)),
    C("struggling since having my baby", (BUMP_BABY_ME,)),
    C("art therapy for anxiety", (CANVAS_CLUB,)),
    # Hobbies and groups
    C("walking group in Neston", (NESTON_WANDERERS,), note="need and place in the text"),
    C("walks", (STEP_OUT,), place="Northwich"),
    C("mens shed", (WORKSHOP,)),
    C("my dad is lost since he retired, he likes woodwork", (WORKSHOP,)),
    C("knitting group", (STITCH_AND_NATTER,)),
    C("crafts", (STITCH_AND_NATTER, CANVAS_CLUB)),
    C("gay social group", (OUT_LOUD,)),
    C("transgender support", (OUT_LOUD,)),
    C("ex forces", (BREW_AND_BANTER,)),
    # Carers and families
    C("young carers", (TIME_OUT,)),
    C("my 12 year old helps look after his mum who has MS", (TIME_OUT,)),
    C("I look after my husband who has parkinsons and I'm exhausted", CARERS),
    C("autism", (BLUECOAT_TUESDAY, SPECTRUM_PARENTS)),
    C("support for parents, my son is waiting for an ADHD assessment", (SPECTRUM_PARENTS,)),
    C("social group for autistic adults", (BLUECOAT_TUESDAY,), place="Chester"),
    # A service or place named directly
    C("glitch", (GLITCH,), note="a name that does not name the need"),
    C("the bluecoat tuesday club", (BLUECOAT_TUESDAY,)),
    C("let's talk blacon", (LETS_TALK_BLACON,), note="Let's Talk Ellesmere Port is the decoy"),
    C("lets talk", (LETS_TALK_PORT,), place="Ellesmere Port"),
    # Digital, work, volunteering, advocacy, housing, addiction, hoarding
    C("help using my ipad", (GLITCH,)),
    C("how do I video call my grandchildren", (GLITCH,)),
    C("find a job", (NEXT_STEP,)),
    C("help writing a CV", (NEXT_STEP,)),
    C("I want to volunteer", (DO_SOMETHING_GOOD,)),
    C("advocate for my mum with social services", (YOUR_VOICE,)),
    C("homeless", (OPEN_DOOR, HOUSING_OPTIONS)),
    C("sleeping rough in chester", (OPEN_DOOR,)),
    C("landlord has given me notice to leave", (HOUSING_OPTIONS,)),
    C("drinking too much", (RESET,)),
    C("my son is on drugs", (RESET,)),
    C("gambling addiction", (FOLD,)),
    C("hoarding", (BREATHING_SPACE,)),
    C("my flat is full of stuff and I can't throw anything away", (BREATHING_SPACE,)),
]
