# ruff: noqa: E501 -- one case per line reads best.
"""The relevance test set: what residents and link workers type, and what must come back.

Each case is a query in people's own words (misspellings, vague needs, whole sentences, a
postcode on its own, a need and a place) over the seed data (seeds/taxonomy.json,
seeds/listings/brief.json and demo.json). ``must`` names listings a link worker would expect
in the top five; any listing tagged with one of ``needs`` (or a more specific need beneath
it), or named in ``also``, counts as a right answer. For a place-only search, ``near_km``
makes every venue that close, and every service covering the place, a right answer.

Also here: loading the seed data through the project's importer, and the scoring used by
test_relevance.py and the ablation table in docs/search.md, "Relevance".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from sqlalchemy.orm import Session

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Case:
    text: str
    place: str = ""
    needs: tuple[str, ...] = ()
    must: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    near_km: float | None = None


# fmt: off
CASES: list[Case] = [
    # Vague needs in residents' words
    Case("someone to talk to", needs=("Someone to talk to",), also=("Let's Talk",)),
    Case("someone to talk to", place="CH1 1AA", needs=("Someone to talk to",), must=("Cheshire West and Chester Listening Line",)),
    Case("help with my bills", needs=("Help with bills and energy costs", "Debt advice", "Money and benefits"), must=("Energy Bills Advice Service",)),
    Case("my mum has dementia", needs=("Dementia", "Support for dementia carers", "People with dementia")),
    Case("lonley", needs=("Loneliness and befriending",)),
    Case("lonely", place="Northwich", needs=("Loneliness and befriending",), must=("Luncheon Club",)),
    Case("nobody ever visits me", needs=("Loneliness and befriending",)),
    Case("my partner hits me", needs=("Domestic abuse",)),
    Case("my partner hits me", place="Ellesmere Port", needs=("Domestic abuse",), must=("Ellesmere Port Women's Centre",)),
    Case("can't afford to heat my home", needs=("Help with bills and energy costs",), must=("Energy Bills Advice Service",)),
    Case("skint", needs=("Money and benefits",)),
    Case("I feel low all the time", needs=("Mental health and wellbeing",)),
    Case("I don't want to be here any more", needs=("Mental health crisis support", "Someone to talk to")),
    Case("I feel like giving up on life", needs=("Mental health crisis support", "Someone to talk to")),
    Case("my husband passed away", needs=("Bereavement",)),
    Case("I drink too much", needs=("Drugs and alcohol",)),
    Case("I keep falling over", needs=("Falls and home safety",)),
    Case("I can't see to read my post", needs=("Sight and hearing loss",)),
    Case("nowhere to sleep tonight", needs=("Homelessness and rough sleeping", "Refuges and safe housing")),
    Case("my landlord won't fix the damp", place="Chester", needs=("Housing advice",), must=("Chester Housing Options Drop-in",)),
    Case("I need a job", needs=("Help finding work", "Supported employment", "Work and skills")),
    Case("show me how to video call my grandchildren", needs=("Technology and digital help",)),
    Case("I want to help people in my area", needs=("Volunteering",)),
    Case("somewhere to go to meet people", needs=("Social groups and clubs", "Loneliness and befriending")),
    Case("I need a break from caring", needs=("Support for carers", "Respite and short breaks")),
    Case("mum can't get to the shops", needs=("Help with shopping", "Getting out and transport", "Food and shopping")),
    Case("somewhere warm to go", needs=("Help with bills and energy costs", "Social groups and clubs", "Day activities")),
    Case("cost of living", needs=("Money and benefits",)),
    Case("dad keeps forgetting things", needs=("Dementia", "Support for dementia carers")),
    Case("lost my job and can't pay the rent", needs=("Money and benefits", "Housing and homelessness", "Work and skills")),
    Case("ex forces looking for work", needs=("Help finding work", "Supported employment")),
    Case('"memory cafe"', needs=("Memory cafés",), must=("Memory Café",)),
    Case('"men\'s shed" Northwich', needs=("Social groups and clubs",), must=("Northwich Men's Shed",)),
    # Misspellings
    Case("benifits", needs=("Benefits advice", "Money and benefits")),
    Case("dimentia", needs=("Dementia", "Support for dementia carers")),
    Case("councelling", needs=("Counselling and talking therapies",)),
    Case("bereavment", needs=("Bereavement",)),
    Case("alzeimers", needs=("Dementia", "Support for dementia carers")),
    Case("volenteering", needs=("Volunteering",)),
    # Link workers' words
    Case("befriending", needs=("Befriending and home visits", "Telephone befriending"), must=("Kelsall Befriending Service",)),
    Case("carer", needs=("Support for carers", "Carers"), must=("Carers' Drop-in",)),
    Case("social prescribing", needs=("General information and advice",), must=("Social Prescribing Service",)),
    Case("respite", needs=("Respite and short breaks", "Breaks for carers")),
    Case("advocacy", needs=("Advocacy",), must=("Independent Advocacy Service",)),
    Case("pip form", needs=("Benefits advice",), also=("Let's Talk",)),
    Case("meals on wheels", needs=("Meals and lunch clubs",), must=("Hot Meals Delivery",)),
    Case("memory cafe", needs=("Memory cafés",), must=("Memory Café",)),
    Case("men's shed", needs=("Social groups and clubs",), must=("Northwich Men's Shed",)),
    Case("stop smoking", needs=("Stop smoking support",), must=("Quit Smoking Support",)),
    Case("dial a ride", needs=("Community transport",), must=("Dial-a-Ride",)),
    Case("tai chi", needs=("Gentle and seated exercise",), must=("Tai Chi for Beginners",)),
    Case("grab rails", needs=("Home repairs and adaptations",), must=("Handyperson Service",)),
    Case("english classes", needs=("Learning, courses and skills",), must=("English for Speakers of Other Languages",)),
    Case("personal alarm", needs=("Personal alarms and telecare",), must=("Personal Alarm Service",)),
    # Need and place
    Case("food bank", place="CH65 0ES", needs=("Food banks and food parcels",), must=("Food Bank",)),
    Case("food bank CH65", needs=("Food banks and food parcels",), must=("Food Bank",)),
    Case("debt advice", place="Chester", needs=("Debt advice", "Benefits advice"), must=("Money Matters Drop-in",)),
    Case("bereavement", place="Northwich", needs=("Bereavement",), must=("Moving Forward Social Group",)),
    Case("autism", place="Winsford", needs=("Autism", "Autistic people"), must=("Youth Autism Club",)),
    Case("carers", place="Worcester", needs=("Support for carers", "Carers")),
    Case("domestic abuse", place="WR1 2WD", needs=("Domestic abuse",)),
    Case("coffee morning", place="CW9 5AJ", needs=("Social groups and clubs",), must=("Friday Coffee Morning",)),
    Case("hearing aid", place="Chester", needs=("Hearing loss",), must=("Hearing Aid Maintenance Clinic",)),
    Case("young carers", place="Northwich", needs=("Young carers",), must=("Young Carers Club",)),
    # A postcode or a town on its own
    Case("CW9 5AJ", near_km=1.0),
    Case("", place="CH1 1AA", near_km=1.5),
    Case("", place="Ellesmere Port", near_km=2.0),
]
# fmt: on


def load_seed_data(session: Session) -> None:
    """The seed taxonomy and listings, through the project's seeding (the importer)."""
    from directory.seeding import seed_database

    seed_database(session, SEEDS)
    session.commit()


def relevant_names(
    case: Case, listings: dict[str, set[str]], below: dict[str, set[str]]
) -> set[str]:
    """Names counting as right answers: listings tagged with the needs or any need beneath."""
    wanted = {n for need in case.needs for n in below.get(need, {need})}
    return (
        {name for name, tags in listings.items() if tags & wanted} | set(case.must) | set(case.also)
    )


@dataclass(frozen=True)
class Score:
    case: Case
    top: list[str]
    right_in_top3: bool
    must_in_top5: bool
    precision5: float
    reciprocal_rank: float


def score(case: Case, hits: list, relevant: set[str]) -> Score:
    """``hits`` are ``search_index.Hit`` in rank order; ``relevant`` from ``relevant_names``."""
    if case.near_km is not None:
        right = [
            h.covers_area or (h.distance_km is not None and h.distance_km <= case.near_km)
            for h in hits
        ]
    else:
        right = [h.name in relevant for h in hits]
    top = [h.name for h in hits[:5]]
    first = next((i for i, ok in enumerate(right[:10]) if ok), None)
    possible = min(5, len(relevant)) if case.near_km is None else 5
    return Score(
        case=case,
        top=top,
        right_in_top3=any(right[:3]),
        must_in_top5=all(name in top for name in case.must),
        precision5=sum(right[:5]) / max(1, possible),
        reciprocal_rank=0.0 if first is None else 1 / (first + 1),
    )


def summary(scores: list[Score]) -> dict[str, float]:
    return {
        "right answer in top 3": mean(s.right_in_top3 for s in scores),
        "must-haves in top 5": mean(s.must_in_top5 for s in scores),
        "precision@5": mean(s.precision5 for s in scores),
        "MRR": mean(s.reciprocal_rank for s in scores),
    }
