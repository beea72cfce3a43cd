"""A synthetic community directory for the benchmarks, the same every time for a seed and size.

``bench/search_bench.py`` and ``bench/api_bench.py`` share it. The same ``--seed`` and size
give byte-identical rows (identifiers included: they are drawn from the seed, not from
``uuid4``), words and query postcodes on a machine with the same seed files: postcodes are
read from the offline gazetteer in postcode order and sampled with the seeded generator, not
with SQLite's ``random()``. ``build_directory`` returns a SHA-256 checksum of every generated
row, printed by the benchmarks so that runs can be compared.

Service names come from real UK towns and service types, descriptions from the needs
taxonomy's own words plus a Zipf-distributed general vocabulary of several thousand words,
needs and client groups from seeds/taxonomy.json, venues at real postcodes around real towns
(weighted by population), weekly schedules, ages, fees and local-authority service areas.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
import re
import sqlite3
import sys
import time
import uuid
from collections import Counter
from datetime import date
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from directory import migrate  # noqa: E402
from directory.db import make_engine  # noqa: E402
from directory.models import (  # noqa: E402
    Address,
    Attribute,
    CostOption,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

SEEDS = ROOT / "seeds"
GAZETTEER = SEEDS / "gazetteer" / "gazetteer.sqlite"
WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: Bump when the generator changes, so a kept work directory is made again.
GENERATOR_VERSION = 2


def _split(text: str, separator: str = ";") -> list[str]:
    return [part.strip() for part in " ".join(text.split()).split(separator) if part.strip()]


SERVICE_TYPES = _split("""Food Bank; Community Pantry; Community Fridge; Men's Shed; Memory Café;
Carers'
Support Group; Debt Advice Clinic; Walking Group; Warm Space; Youth Club; Toddler Group; Lunch
Club; Bereavement Support Group; Knit and Natter; Repair Café; Wellbeing Hub; Talking Therapies;
Job Club; Digital Skills Drop-in; ESOL Conversation Class; Befriending Service; Good Neighbours
Scheme; Community Transport; Dementia Friendly Singing; Parent and Baby Group; Dads' Group;
Young Carers Project; Mental Health Drop-in; Recovery Café; Housing Advice Surgery; Benefits
Helpline; Welfare Rights Service; Domestic Abuse Support; Stop Smoking Service; Weight Management
Group; Chair Based Exercise; Tai Chi for Balance; Gardening Project; Allotment Group; Art Club;
Community Choir; Reading Group; Homework Club; Holiday Activity Programme; Baby Bank; Clothes
Bank; Furniture Reuse Project; Energy Advice Service; Hearing Aid Clinic; Sight Loss Support;
Autism Family Support; Carers' Cafe; Veterans' Breakfast Club; LGBT+ Social Group; Refugee
Welcome Group; Cook and Eat; Community Kitchen; Hospital Discharge Support; Handyperson
Service; Lets Talk Hub; Citizens Advice Outreach; Volunteer Centre; Computer Buddies; Social
Prescribing Service""")
ORG_KINDS = _split("""Community Trust; Community Association; Volunteer Centre; Rotary Club;
Methodist Church; Parish Council; Food Partnership; Carers' Centre; Mind; Age Concern; Housing
Association; Community Interest Company""")
SURNAMES = _split(
    """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson
Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason
Mitchell Rose Davis Cox Alexander Morgan Moore Turner Hughes Hill Edwards Cooper Ward Harris
Martin King Lee Baker Harrison Morris Shaw Lloyd Ellis Kelly Bennett Price Griffiths Murphy Young
Allen Scott Singh Anderson Carter Dixon Marshall Owen Richards Bailey Chapman""",
    " ",
)
SAINTS = _split("Mary's John's Peter's Paul's Andrew's Michael's Luke's Mark's George's", " ")
HALLS = _split("Community Centre; Library; Methodist Hall; Village Hall; Church Hall; Family Hub")
SENTENCES = (
    "{opener} We offer {syn} for {group} living in and around {town}.",
    "Come along to our friendly {kind} at the {hall}, where {phrase} is something we hear a "
    "lot and can help with.",
    "Our trained volunteers provide {syn} and {syn2} every {weekday}.",
    "If you are worried about {need}, we can talk things through, give practical advice and "
    "put you in touch with other local services.",
    "Sessions are {cost}; {access}.",
)
OPENERS = _split("""Everyone is welcome.; No referral is needed.; Just turn up.; Phone first if
it is your first visit.; Referral through your GP or link worker.""")
ACCESS = _split("""step-free access and an accessible toilet; a hearing loop is available; free
parking next to the hall; on the bus route into town; interpreters can be arranged""")
COSTS = ("free", "£2 a session", "free for carers")
WEEKDAYS = _split("Monday Tuesday Wednesday Thursday Friday", " ")
MODES = (["in_person"], ["in_person"], ["in_person", "phone"], ["phone"], ["online"],
         ["phone", "online"])  # fmt: skip
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# Vocabulary --------------------------------------------------------------------------------


def general_vocabulary() -> list[str]:
    """Several thousand English words ranked by frequency in the English text on this machine
    (the Python reference manual and licence texts), after the taxonomy's own words."""
    import pydoc_data.topics as topics  # part of the standard library

    counts: Counter[str] = Counter()
    for text in topics.topics.values():
        counts.update(WORD_RE.findall(text.lower()))
    for path in sorted(Path("/usr/share/common-licenses").glob("*")):
        if path.is_file():
            counts.update(WORD_RE.findall(path.read_text(errors="ignore").lower()))
    return [w for w, _ in counts.most_common() if 3 <= len(w) <= 14 and "'" not in w][:6000]


class Zipf:
    """Draws words with probability proportional to 1 / rank."""

    def __init__(self, words: list[str], rng: random.Random) -> None:
        self.words = words
        self.rng = rng
        total = 0.0
        self.cum = []
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            self.cum.append(total)

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)


# Synthetic directory -----------------------------------------------------------------------


def load_towns() -> list[tuple[str, float, float, int]]:
    with (SEEDS / "gazetteer" / "gb_places.csv").open() as handle:
        return [
            (row["name"], float(row["latitude"]), float(row["longitude"]), int(row["population"]))
            for row in csv.DictReader(handle)
        ]


def postcode_grid(rng: random.Random) -> dict[tuple[int, int], list[tuple[str, float, float]]]:
    """A 1-in-8 sample of real postcodes in 0.1-degree cells, to put venues at real places.
    Read in postcode order and sampled with the seeded generator, so a seed gives the same
    sample every time (SQLite's ``random()`` did not)."""
    grid: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    conn = sqlite3.connect(f"file:{GAZETTEER}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT pc, lat, lon FROM postcode ORDER BY pc").fetchall()
    finally:
        conn.close()
    keep = rng.random
    for pc, lat, lon in rows:
        if keep() < 0.125:
            lat, lon = lat / 1e5, lon / 1e5
            grid.setdefault((round(lat * 10), round(lon * 10)), []).append((pc, lat, lon))
    return grid


def nearby_postcode(
    grid, lat: float, lon: float, rng: random.Random
) -> tuple[str, float, float] | None:
    cells = [
        grid.get((round(lat * 10) + dy, round(lon * 10) + dx), [])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    ]
    candidates = [
        p for cell in cells for p in cell if abs(p[1] - lat) < 0.06 and abs(p[2] - lon) < 0.09
    ]
    return rng.choice(candidates) if candidates else None


def display_postcode(pc: str) -> str:
    return f"{pc[:-3]} {pc[-3:]}"


def load_taxonomy(session) -> tuple[list[dict], list[dict]]:
    data = json.loads((SEEDS / "taxonomy.json").read_text())
    needs, groups = [], []
    for taxonomy in data["taxonomies"]:
        session.execute(
            insert(Taxonomy),
            [
                {
                    "id": taxonomy["id"],
                    "name": taxonomy["name"],
                    "description": taxonomy.get("description", ""),
                    "version": "1",
                }
            ],
        )
        rows = [
            {
                "id": t["id"],
                "name": t["name"],
                "description": t.get("description", ""),
                "parent_id": t.get("parent_id"),
                "taxonomy": taxonomy["name"],
                "taxonomy_id": taxonomy["id"],
                "term": t.get("term"),
                "synonyms": t.get("x_synonyms", []),
                "phrases": t.get("x_phrases", []),
            }
            for t in taxonomy["terms"]
        ]
        session.execute(insert(TaxonomyTerm), rows)
        (groups if "client" in taxonomy["name"].lower() else needs).extend(rows)
    return needs, groups


class DirectoryMaker:
    """Makes the rows of one synthetic directory, deterministically from a seed."""

    def __init__(self, session, seed: int) -> None:
        self.rng = random.Random(seed)
        self.id_rng = random.Random(f"{seed}:ids")
        self.needs, self.groups = load_taxonomy(session)
        domain = Counter(
            word
            for t in self.needs + self.groups
            for text in [t["name"], t["description"], *t["synonyms"], *t["phrases"]]
            for word in WORD_RE.findall(text.lower())
        )
        self.domain_words = [w for w, _ in domain.most_common()]
        self.general_words = [w for w in general_vocabulary() if w not in domain]
        self.zipf = Zipf(self.domain_words + self.general_words, self.rng)
        self.towns = [t for t in load_towns() if t[3] > 0]
        self.weights = [math.sqrt(t[3]) + 10 for t in self.towns]
        self.grid = postcode_grid(self.rng)
        self.gazetteer = sqlite3.connect(f"file:{GAZETTEER}?mode=ro", uri=True)
        self.authorities = dict(
            self.gazetteer.execute("SELECT id, code FROM authority ORDER BY id")
        )
        self.rows: dict[type, list[dict]] = {}
        self.query_postcodes: list[str] = []
        self.phrases: list[str] = []

    def add(self, model: type, **row) -> None:
        self.rows.setdefault(model, []).append({"id": self.new_id(), **row})

    def new_id(self) -> str:
        """A UUID drawn from the seed (its own generator, so ids do not shift the data)."""
        return str(uuid.UUID(int=self.id_rng.getrandbits(128), version=4))

    def organisations(self, count: int) -> list[str]:
        rng = self.rng
        for _ in range(count):
            town = rng.choices(self.towns, self.weights)[0][0]
            name = rng.choice(
                [
                    f"{town} {rng.choice(ORG_KINDS)}",
                    f"{rng.choice(SURNAMES)} Foundation",
                    f"St {rng.choice(SAINTS)} Church, {town}",
                    f"Age UK {town}",
                ]
            )
            self.add(Organization, name=name, description=f"{name} is a local charity.")
        return [row["id"] for row in self.rows[Organization]]

    def description(self, town: str, kind: str, need: dict, groups: list[dict]) -> str:
        rng = self.rng
        synonyms = need["synonyms"] or [need["name"].lower()]
        slots = {
            "opener": rng.choice(OPENERS),
            "syn": rng.choice(synonyms),
            "syn2": rng.choice(synonyms),
            "group": groups[0]["name"].lower() if groups else "adults",
            "town": town,
            "kind": kind.lower(),
            "hall": f"{town} {rng.choice(HALLS)}",
            "phrase": (rng.choice(need["phrases"]) if need["phrases"] else need["name"]).lower(),
            "weekday": rng.choice(WEEKDAYS),
            "need": need["name"].lower(),
            "cost": rng.choice(COSTS),
            "access": rng.choice(ACCESS),
        }
        sentences = [s.format(**slots) for s in rng.sample(SENTENCES, rng.randint(1, 3))]
        words = " ".join(self.zipf.draw(rng.randint(5, 25)))
        return " ".join(sentences) + f" {words.capitalize()}."

    def service(self, organisation_id: str) -> None:
        rng = self.rng
        town, lat, lon, _population = rng.choices(self.towns, self.weights)[0]
        need = rng.choice(self.needs)
        needs = [need, *rng.sample(self.needs, rng.choice((0, 0, 1, 2)))]
        groups = rng.sample(self.groups, rng.choice((0, 1, 1, 2)))
        kind = rng.choice(SERVICE_TYPES)
        modes = rng.choice(MODES)
        low = rng.choice((None, None, 0, 11, 16, 18, 50, 65))
        description = self.description(town, kind, need, groups)
        self.add(
            Service,
            organization_id=organisation_id,
            name=f"{town} {kind}",
            description=description,
            status="active",
            listing_status="active",
            eligibility_description=f"Anyone living in {town}.",
            minimum_age=low,
            maximum_age=rng.choice((None, None, 4, 19, 25, 64))
            if low in (None, 0, 11, 16)
            else None,
            delivery_modes=modes,
            assured_date=date(2025, rng.randint(1, 10), rng.randint(1, 28)),
            fees=rng.choice(("Free", "", "£3 per session", None)),
        )
        service_id = self.rows[Service][-1]["id"]
        for link_type, terms in (("need", needs), ("client_group", groups)):
            for term in terms:
                self.add(Attribute, link_id=service_id, link_entity="service",
                         link_type=link_type, taxonomy_term_id=term["id"])  # fmt: skip
        if rng.random() < 0.3:
            self.add(CostOption, service_id=service_id, option="Per session",
                     amount=rng.choice((0.0, 2.0, 3.5)))  # fmt: skip
        remote = modes in (["phone"], ["online"], ["phone", "online"])
        authority = None
        for _ in range(0 if remote else rng.choice((1, 1, 1, 2))):
            authority = self.venue(service_id, town, lat, lon) or authority
        if remote or "phone" in modes:
            code = authority or rng.choice(list(self.authorities.values()))
            self.add(ServiceArea, service_id=service_id, extent_type="local_authority",
                     extent=code, name=code)  # fmt: skip
        words = WORD_RE.findall(description.lower())
        if len(self.phrases) < 400 and len(words) > 8 and rng.random() < 0.02:
            start = rng.randint(0, len(words) - 2)
            self.phrases.append(" ".join(words[start : start + 2]))

    def venue(self, service_id: str, town: str, lat: float, lon: float) -> str | None:
        """A venue at a real postcode near the town; returns its local authority's code."""
        rng = self.rng
        spot = nearby_postcode(self.grid, lat + rng.gauss(0, 0.02), lon + rng.gauss(0, 0.03), rng)
        if spot is None:
            return None
        postcode, plat, plon = spot
        la = self.gazetteer.execute("SELECT la FROM postcode WHERE pc = ?", (postcode,)).fetchone()
        self.add(Location, name=f"{town} {rng.choice(HALLS)}", latitude=plat, longitude=plon,
                 kind="venue")  # fmt: skip
        location_id = self.rows[Location][-1]["id"]
        self.add(Address, location_id=location_id, city=town, country="GB",
                 address_1=f"{rng.randint(1, 200)} High Street",
                 postal_code=display_postcode(postcode))  # fmt: skip
        self.add(ServiceAtLocation, service_id=service_id, location_id=location_id)
        opens = rng.choice((9, 10, 13, 14, 18))
        days = sorted(rng.sample(DAYS[:6], rng.choice((1, 1, 2, 5))), key=DAYS.index)
        self.add(Schedule, service_id=service_id,
                 service_at_location_id=self.rows[ServiceAtLocation][-1]["id"],
                 freq="WEEKLY", byday=",".join(days), opens_at=dtime(opens, 0),
                 closes_at=dtime(min(22, opens + rng.choice((2, 3, 8))), 0))  # fmt: skip
        if len(self.query_postcodes) < 400 and rng.random() < 0.05:
            self.query_postcodes.append(display_postcode(postcode))
        return self.authorities.get(la[0]) if la else None


ORDER = (Organization, Location, Address, Service, ServiceAtLocation, Schedule, Attribute,
         ServiceArea, CostOption)  # fmt: skip


def checksum(rows: dict[type, list[dict]], extra: dict) -> str:
    """SHA-256 of every generated row (in insertion order, as canonical JSON) and of what the
    queries are drawn from: equal checksums mean byte-identical data."""
    digest = hashlib.sha256()
    for model in ORDER:
        for row in rows.get(model, []):
            digest.update(model.__name__.encode())
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    digest.update(json.dumps(extra, sort_keys=True).encode())
    return digest.hexdigest()


def build_directory(url: str, size: int, seed: int) -> dict:
    """Insert ``size`` services with everything a listing has; returns what the queries need
    (the words, needs, client groups, phrases and postcodes) and the data's checksum."""
    engine = make_engine(url)
    with sessionmaker(bind=engine)() as session:
        maker = DirectoryMaker(session, seed)
        organisations = maker.organisations(max(1, size // 4))
        for _ in range(size):
            maker.service(maker.rng.choice(organisations))
        for model in ORDER:
            rows = maker.rows.get(model, [])
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
        session.commit()
    engine.dispose()
    maker.gazetteer.close()
    data = {
        "words": maker.domain_words[:300] + maker.general_words[:1500],
        "needs": maker.needs,
        "groups": maker.groups,
        "postcodes": maker.query_postcodes,
        "phrases": maker.phrases,
    }
    data["checksum"] = checksum(maker.rows, data)
    data["seed"], data["size"], data["generator"] = seed, size, GENERATOR_VERSION
    return data


def reuse_or_build_directory(db_path: Path, size: int, seed: int) -> dict:
    """The synthetic directory at ``db_path``, made once per work directory: generating
    100,000 services takes minutes, and runs comparing engine versions need the same data.
    What the queries need is kept beside it in a JSON file; a directory made with another
    seed or generator version is made again."""
    url = f"sqlite:///{db_path}"
    saved = db_path.with_suffix(".json")
    if db_path.exists() and saved.exists():
        data = json.loads(saved.read_text())
        if (data.get("seed"), data.get("generator")) == (seed, GENERATOR_VERSION):
            print(f"reusing the synthetic directory in {db_path}", flush=True)
            migrate.upgrade(url)
            return data
        print(f"{db_path} was made with another seed or generator: making it again", flush=True)
    db_path.unlink(missing_ok=True)
    saved.unlink(missing_ok=True)
    migrate.upgrade(url)
    started = time.perf_counter()
    data = build_directory(url, size, seed)
    saved.write_text(json.dumps(data))
    print(
        f"synthetic directory inserted in {time.perf_counter() - started:.1f} s; "
        f"data checksum {data['checksum'][:16]}",
        flush=True,
    )
    return data
