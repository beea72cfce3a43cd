"""Search benchmark: Whoosh through the real engine versus SQLite FTS5, on synthetic directories.

Run from the project root (a script, not a test; about 10 minutes for both sizes here, most of
it generating the synthetic directories and loading FTS5):

    .venv/bin/python bench/search_bench.py --sizes 10000 100000 [--workdir DIR [--reuse]]

With ``--workdir`` the synthetic directories are kept and used again by later runs; with
``--reuse`` as well, so are the index and the FTS5 file (to compare query changes quickly).

For each size it builds a realistic directory in a throwaway SQLite database: service names
from real UK towns and service types, descriptions from the needs taxonomy's own words plus a
Zipf-distributed general vocabulary of several thousand words, needs and client groups from
seeds/taxonomy.json, venues at real postcodes around real towns (weighted by population), weekly
schedules, ages, fees and local-authority service areas. Then:

* the real full rebuild (``IndexSync.rebuild``: database -> documents -> Whoosh, in worker
  processes) with its time, size on disk and peak memory;
* a fixed mix of queries (one word, several words, a phrase, a need filter, postcode + radius,
  open now) through ``search_index.search`` with a warm per-process searcher;
* the same documents in SQLite FTS5 (bm25 with column weights) and the same mix of queries,
  each returning a top 20 and a total count like the engine does (but no facets);
* p50/p95 per kind and overall, and the Whoosh/FTS5 ratio.

The machine's load average is printed with the figures: on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from directory import migrate  # noqa: E402
from directory.core.ids import new_id  # noqa: E402
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
from search_index import search  # noqa: E402
from search_index.api import SearchRequest  # noqa: E402
from search_index.schema import SECTION_WEIGHTS, parse_hours  # noqa: E402
from search_index.store import IndexStore  # noqa: E402
from search_index.sync import IndexSync, RebuildReport  # noqa: E402

SEEDS = ROOT / "seeds"
GAZETTEER = SEEDS / "gazetteer" / "gazetteer.sqlite"
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 18, 10, 30, tzinfo=LONDON)  # a Tuesday morning
KINDS = ("one_word", "multi_word", "phrase", "need", "postcode_radius", "open_now")
WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")


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
    counts: Counter[str] = Counter()
    try:
        import pydoc_data.topics as topics

        for text in topics.topics.values():
            counts.update(WORD_RE.findall(text.lower()))
    except ImportError:
        pass
    for path in Path("/usr/share/common-licenses").glob("*"):
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
    """A 1-in-8 sample of real postcodes in 0.1-degree cells, to put venues at real places."""
    grid: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    with sqlite3.connect(f"file:{GAZETTEER}?mode=ro", uri=True) as conn:
        for pc, lat, lon in conn.execute(
            "SELECT pc, lat, lon FROM postcode WHERE abs(random()) % 8 = 0"
        ):
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
        self.authorities = dict(self.gazetteer.execute("SELECT id, code FROM authority"))
        self.rows: dict[type, list[dict]] = {}
        self.query_postcodes: list[str] = []
        self.phrases: list[str] = []

    def add(self, model: type, **row) -> None:
        self.rows.setdefault(model, []).append({"id": new_id(), **row})

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


def build_directory(url: str, size: int, seed: int) -> dict:
    """Insert ``size`` services with everything a listing has; returns what the queries need."""
    engine = make_engine(url)
    with sessionmaker(bind=engine)() as session:
        maker = DirectoryMaker(session, seed)
        organisations = maker.organisations(max(1, size // 4))
        for _ in range(size):
            maker.service(maker.rng.choice(organisations))
        order = (Organization, Location, Address, Service, ServiceAtLocation, Schedule,
                 Attribute, ServiceArea, CostOption)  # fmt: skip
        for model in order:
            rows = maker.rows.get(model, [])
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
        session.commit()
    engine.dispose()
    maker.gazetteer.close()
    return {
        "words": maker.domain_words[:300] + maker.general_words[:1500],
        "needs": maker.needs,
        "postcodes": maker.query_postcodes,
        "phrases": maker.phrases,
    }


def reuse_or_build_directory(db_path: Path, size: int, seed: int) -> dict:
    """The synthetic directory at ``db_path``, made once per work directory: generating
    100,000 services takes minutes, and runs comparing engine versions need the same data.
    What the queries need is kept beside it in a JSON file."""
    url = f"sqlite:///{db_path}"
    saved = db_path.with_suffix(".json")
    if db_path.exists() and saved.exists():
        print(f"reusing the synthetic directory in {db_path}", flush=True)
        migrate.upgrade(url)
        return json.loads(saved.read_text())
    db_path.unlink(missing_ok=True)
    migrate.upgrade(url)
    started = time.perf_counter()
    data = build_directory(url, size, seed)
    saved.write_text(json.dumps(data))
    print(f"synthetic directory inserted in {time.perf_counter() - started:.1f} s", flush=True)
    return data


# Queries -----------------------------------------------------------------------------------


def query_mix(data: dict, per_kind: int, seed: int) -> list[tuple[str, SearchRequest]]:
    rng = random.Random(seed)
    words = [w for w in data["words"] if len(w) > 3]
    head = words[:400]
    mix = []
    for _ in range(per_kind):
        mix.append(("one_word", SearchRequest(text=rng.choice(head))))
        mix.append(
            ("multi_word", SearchRequest(text=" ".join(rng.sample(head, rng.choice((2, 3))))))
        )
        mix.append(("phrase", SearchRequest(text=f'"{rng.choice(data["phrases"])}"')))
        mix.append(("need", SearchRequest(need_ids=(rng.choice(data["needs"])["id"],))))
        mix.append(
            (
                "postcode_radius",
                SearchRequest(
                    place=rng.choice(data["postcodes"]), radius_km=rng.choice((3.0, 5.0, 10.0))
                ),
            )
        )
        mix.append(("open_now", SearchRequest(text=rng.choice(head), open_now=True, now=NOW)))
    return mix


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summarise(timings: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    out = {k: (statistics.median(v), percentile(v, 95)) for k, v in timings.items()}
    every = [t for v in timings.values() for t in v]
    out["overall"] = (statistics.median(every), percentile(every, 95))
    return out


def run_engine(searcher, session_factory, mix):
    """Wall-clock and CPU milliseconds per query kind, and the total hits per kind."""
    timings: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    totals: dict[str, int] = dict.fromkeys(KINDS, 0)
    with session_factory() as session:
        for _kind, request in mix[: len(KINDS) * 3]:  # warm caches (vocabulary, bitsets)
            search(request, index=searcher, session=session)
        for kind, request in mix:
            started, started_cpu = time.perf_counter(), time.process_time()
            results = search(request, index=searcher, session=session)
            timings[kind].append((time.perf_counter() - started) * 1000)
            cpu[kind].append((time.process_time() - started_cpu) * 1000)
            totals[kind] += results.total
    return timings, cpu, totals


def time_updates(sync: IndexSync, session_factory, seed: int, count: int = 20) -> list[float]:
    """Edit a service, then time the same-request index update and the search that shows it."""
    from sqlalchemy import func, select

    from directory import listeners

    listeners.install(session_factory)  # the change feed, as in the app
    from directory.models import ListingChange

    rng = random.Random(seed)
    timings = []
    with session_factory() as session:
        ids = list(session.scalars(select(Service.id).limit(2000)))
        for n in range(count):
            service = session.get(Service, rng.choice(ids))
            service.name = f"{service.name.split(' edited')[0]} edited zqx{n}"
            session.commit()
            seq = session.scalar(select(func.max(ListingChange.seq)))
            started = time.perf_counter()
            sync.apply({seq: service.id})
            results = search(
                SearchRequest(text=f"zqx{n}"), index=sync.store.searcher(), session=session
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert results.total >= 1, f"edit {n} not found"
    return timings


# SQLite FTS5 -------------------------------------------------------------------------------


def build_fts(path: Path, session_factory, iter_documents) -> float:
    """Load the documents into an FTS5 file at ``path`` (written beside it, then renamed, so
    an interrupted load never leaves a file that ``--reuse`` would take)."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    seconds = _load_fts(partial, session_factory, iter_documents)
    partial.rename(path)
    return seconds


def _load_fts(path: Path, session_factory, iter_documents) -> float:
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(name, organisation, description, needs_text,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE doc (id INTEGER PRIMARY KEY, doc_id TEXT, service_id TEXT, name TEXT,
            organisation TEXT, summary TEXT, lat REAL, lon REAL, checked INTEGER);
        CREATE TABLE doc_need (need TEXT, doc INTEGER);
        CREATE TABLE doc_hours (doc INTEGER, start INTEGER, stop INTEGER);
        """
    )
    started = time.perf_counter()
    with session_factory() as session:
        batch_fts, batch_doc, batch_need, batch_hours = [], [], [], []
        for rowid, doc in enumerate(iter_documents(session), start=1):
            row = doc["row"]
            texts = dict(zip(SECTION_WEIGHTS, (text for _weight, text in doc["all"]), strict=True))
            needs = ". ".join(texts[k] for k in ("need", "parent_need", "synonym"))
            batch_fts.append(
                (rowid, texts["name"], texts["organisation"], texts["description"], needs)
            )
            lat = doc.get("lat")
            batch_doc.append(
                (
                    rowid,
                    doc["doc_id"],
                    doc["service_id"],
                    texts["name"],
                    texts["organisation"],
                    row.get("summary", ""),
                    lat / 1e6 if lat is not None else None,
                    doc["lon"] / 1e6 if lat is not None else None,
                    doc.get("checked", 0),
                )
            )
            batch_need.extend((need, rowid) for need in doc["need"].split())
            batch_hours.extend((rowid, lo, hi) for lo, hi in parse_hours(doc["hours"]))
            if len(batch_doc) >= 5000:
                _flush_fts(conn, batch_fts, batch_doc, batch_need, batch_hours)
        _flush_fts(conn, batch_fts, batch_doc, batch_need, batch_hours)
    conn.executescript(
        """
        CREATE INDEX doc_need_need ON doc_need (need, doc);
        CREATE INDEX doc_hours_start ON doc_hours (start, stop, doc);
        CREATE INDEX doc_lat ON doc (lat, lon);
        INSERT INTO fts(fts) VALUES ('optimize');
        """
    )
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def _flush_fts(conn, fts, doc, need, hours) -> None:
    conn.executemany(
        "INSERT INTO fts(rowid, name, organisation, description, needs_text) VALUES (?,?,?,?,?)",
        fts,
    )
    conn.executemany("INSERT INTO doc VALUES (?,?,?,?,?,?,?,?,?)", doc)
    conn.executemany("INSERT INTO doc_need VALUES (?,?)", need)
    conn.executemany("INSERT INTO doc_hours VALUES (?,?,?)", hours)
    for batch in (fts, doc, need, hours):
        batch.clear()


def fts_text(text: str) -> str:
    words = WORD_RE.findall(text.lower())
    if text.startswith('"'):
        return '"' + " ".join(words) + '"'
    return " ".join(f'"{w}"' for w in words)


RANKED = "SELECT rowid, bm25(fts, 4.0, 1.5, 1.0, 3.0) AS rank FROM fts WHERE fts MATCH ?"
PAGE = "SELECT doc_id, service_id, name, organisation, summary FROM doc WHERE id IN ({})"


def run_fts(path: Path, gazetteer, mix, descendants) -> dict[str, list[float]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    minute = NOW.weekday() * 1440 + NOW.hour * 60 + NOW.minute
    timings: dict[str, list[float]] = {k: [] for k in KINDS}

    def page(ids: list[int]) -> None:
        conn.execute(PAGE.format(",".join("?" * len(ids))), ids).fetchall()

    def one(kind: str, request: SearchRequest) -> None:
        if kind in ("one_word", "multi_word", "phrase"):
            match = fts_text(request.text)
            ids = [r[0] for r in conn.execute(RANKED + " ORDER BY rank LIMIT 20", (match,))]
            conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()
        elif kind == "open_now":
            match = fts_text(request.text)
            open_docs = "SELECT doc FROM doc_hours WHERE start <= ? AND stop > ?"
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT rowid FROM ({RANKED} ORDER BY rank) "
                    f"WHERE +rowid IN ({open_docs}) LIMIT 20",
                    (match, minute, minute),
                )
            ]
            conn.execute(
                f"SELECT count(*) FROM fts WHERE fts MATCH ? AND +rowid IN ({open_docs})",
                (match, minute, minute),
            ).fetchone()
        elif kind == "need":
            needs = descendants[request.need_ids[0]]
            marks = ",".join("?" * len(needs))
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM doc WHERE id IN "
                    f"(SELECT doc FROM doc_need WHERE need IN ({marks})) "
                    "ORDER BY checked DESC LIMIT 20",
                    needs,
                )
            ]
            conn.execute(
                f"SELECT count(DISTINCT doc) FROM doc_need WHERE need IN ({marks})", needs
            ).fetchone()
        else:
            place = gazetteer.postcode(request.place)
            lat, lon, radius = place.latitude, place.longitude, request.radius_km
            dlat, dlon = radius / 111.0, radius / (111.0 * math.cos(math.radians(lat)))
            rows = conn.execute(
                "SELECT id, lat, lon FROM doc WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                (lat - dlat, lat + dlat, lon - dlon, lon + dlon),
            ).fetchall()
            near = sorted((d, i) for i, a, b in rows if (d := haversine(lat, lon, a, b)) <= radius)
            ids = [i for _, i in near[:20]]
        if ids:
            page(ids)

    for kind, request in mix[: len(KINDS) * 3]:
        one(kind, request)
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    for kind, request in mix:
        started, started_cpu = time.perf_counter(), time.process_time()
        one(kind, request)
        timings[kind].append((time.perf_counter() - started) * 1000)
        cpu[kind].append((time.process_time() - started_cpu) * 1000)
    conn.close()
    return timings, cpu


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# Driver ------------------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the build workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rss_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def bench_size(size: int, args: argparse.Namespace, workdir: Path) -> dict:
    print(f"\n=== {size:,} services (load average {os.getloadavg()[0]:.2f}) ===", flush=True)
    db_path = workdir / f"directory_{size}.sqlite"
    url = f"sqlite:///{db_path}"
    data = reuse_or_build_directory(db_path, size, args.seed)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    from search_index.schema import build_schema

    sync = IndexSync(
        IndexStore(workdir / f"index_{size}", build_schema),
        factory,
        procs=args.procs,
        parallel_min_services=0,
        limitmb=args.limitmb,
    )
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds()
    if args.reuse and sync.store.current_generation() is not None:
        report = reused_report(sync)
    else:
        report = sync.rebuild(procs=args.procs)
    build_cpu = cpu_seconds() - cpu_before
    print(
        f"rebuild: {report.documents:,} documents in {report.seconds:.1f} s with {report.procs} "
        f"process(es); {report.size_bytes / 1e6:.1f} MB",
        flush=True,
    )
    searcher = sync.store.searcher()
    mix = query_mix(data, args.queries, args.seed)
    rss_before = rss_mb()
    whoosh_ms, whoosh_cpu, totals = run_engine(searcher, factory, mix)
    query_rss = rss_mb() - rss_before
    update_ms = time_updates(sync, factory, args.seed)
    fts_path = workdir / f"fts_{size}.sqlite"
    fts_build = 0.0
    if not (args.reuse and fts_path.exists()):
        fts_path.unlink(missing_ok=True)
        fts_build = build_fts(fts_path, factory, sync.iter_all_documents)
    from directory.places.gazetteer import get_gazetteer
    from search_index.vocabulary import load_vocabulary

    with factory() as session:
        vocab = load_vocabulary(session)
    descendants = {
        n["id"]: [n["id"], *(t for t in vocab.terms if n["id"] in vocab.ancestors(t))]
        for n in data["needs"]
    }
    fts_ms, fts_cpu = run_fts(fts_path, get_gazetteer(), mix, descendants)
    engine.dispose()
    return {
        "size": size,
        "documents": report.documents,
        "build_s": report.seconds,
        "procs": report.procs,
        "index_mb": report.size_bytes / 1e6,
        "fts_build_s": fts_build,
        "fts_mb": fts_path.stat().st_size / 1e6,
        "whoosh": summarise(whoosh_ms),
        "fts": summarise(fts_ms),
        "totals": totals,
        "whoosh_cpu": summarise(whoosh_cpu),
        "fts_cpu": summarise(fts_cpu),
        "build_cpu": build_cpu,
        "update": (statistics.median(update_ms), percentile(update_ms, 95)),
        "peak_parent_mb": peak_mb(resource.RUSAGE_SELF),
        "peak_worker_mb": peak_mb(resource.RUSAGE_CHILDREN),
        "load": (load_before, os.getloadavg()[0]),
        "query_rss_mb": query_rss,
    }


def reused_report(sync: IndexSync) -> RebuildReport:
    """What ``--reuse`` reports for an index built by an earlier run (no build timings)."""
    store = sync.store
    name = store.current_generation()
    with store.open_index(name).reader() as reader:
        documents = reader.doc_count()
    return RebuildReport(name, 0, documents, 0, 0, 0.0, 0.0, store.size_bytes(name))


def print_result(r: dict, per_kind: int) -> None:
    size, docs, load = r["size"], r["documents"], r["load"]
    print(f"\n{size:,} services, {docs:,} documents, {per_kind} queries per kind")
    print(f"  load average {load[0]:.2f} at the build, {load[1]:.2f} at the end")
    print(
        f"  Whoosh rebuild {r['build_s']:.1f} s wall, {r['build_cpu']:.0f} CPU-s, "
        f"{r['procs']} processes, {r['index_mb']:.1f} MB"
    )
    print(f"  SQLite FTS5 load {r['fts_build_s']:.1f} s, {r['fts_mb']:.1f} MB")
    update50, update95 = r["update"]
    print(f"  edit -> searchable (update + next search): p50 {update50:.0f} ms, p95 {update95:.0f}")
    parent, worker = r["peak_parent_mb"], r["peak_worker_mb"]
    print(
        f"  peak RSS: largest build worker {worker:.0f} MB; benchmark process {parent:.0f} MB "
        f"(synthetic data included); searching grew it by {r['query_rss_mb']:.0f} MB"
    )
    print("  milliseconds: wall clock [CPU time, which the machine's load affects less]")
    header = ("kind", "Whoosh p50", "p95", "FTS5 p50", "p95", "p95 ratio", "hits")
    print("  {:<16}{:>17}{:>16}{:>15}{:>14}{:>15}{:>7}".format(*header))
    for kind in (*KINDS, "overall"):
        (w50, w95), (c50, c95) = r["whoosh"][kind], r["whoosh_cpu"][kind]
        (f50, f95), (g50, g95) = r["fts"][kind], r["fts_cpu"][kind]
        hits = r["totals"].get(kind, sum(r["totals"].values()) / len(KINDS)) / per_kind
        cells = [
            f"{w50:>8.1f} [{c50:>5.1f}]",
            f"{w95:>8.1f} [{c95:>5.1f}]",
            f"{f50:>7.1f} [{g50:>4.1f}]",
            f"{f95:>7.1f} [{g95:>4.1f}]",
            f"{w95 / max(f95, 0.01):>7.1f}x [{c95 / max(g95, 0.01):>4.1f}x]",
        ]
        print(f"  {kind:<16}{''.join(cells)}{hits:>7.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50, help="queries per kind")
    parser.add_argument("--procs", type=int, default=2, help="index build processes")
    parser.add_argument("--limitmb", type=int, default=256)
    parser.add_argument("--seed", type=int, default=20251118)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the files here; a synthetic directory already there is used again",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --workdir: also use the index and the FTS5 file already there (no build "
        "figures; for comparing query changes)",
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="search_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Working in {workdir}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    try:
        results = []
        for size in args.sizes:
            results.append(bench_size(size, args, workdir))
            print_result(results[-1], args.queries)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\nSummary")
    for result in results:
        print_result(result, args.queries)


if __name__ == "__main__":
    main()
