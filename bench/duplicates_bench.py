"""Benchmark duplicate detection on a synthetic directory with known duplicates planted in it.

    .venv/bin/python bench/duplicates_bench.py                 # 100,000 services
    .venv/bin/python bench/duplicates_bench.py --services 10000

Builds a migrated SQLite database of organisations that each run several services from one
switchboard, one ``info@`` address and one home page (three councils run 1,500 services each
on one number), at postcodes around their town, with names drawn from a realistic vocabulary.
Into that it plants known duplicates: the same service from a second feed (another id and
organisation record, the name reworded, "(Town)" added, accents or a typo, the phone in another
format, often no location, the web address with ``www.`` and tracking) and repeated records
within one feed. Then it times a full scan, an import-sized check, the group keys and the API
field, and counts how many planted pairs were found and how many other pairs were flagged.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from directory import migrate
from directory.db import make_engine
from directory.listings.duplicates import duplicate_groups, flag_duplicates
from directory.listings.duplicates.candidates import Blocks, load_listings
from directory.listings.duplicates.models import DuplicateFlag, Strength
from directory.listings.duplicates.rules import compare
from directory.listings.duplicates.serialise import forget_flagged_ids, possible_duplicates_json
from directory.models import (
    Address,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)

#: Towns and topic words as UK directories use them, as word lists (SIM905: 150 quoted words
#: would bury the vocabulary).
TOWNS = tuple(
    "Chester|Neston|Northwich|Winsford|Frodsham|Helsby|Tarporley|Malpas|Ellesmere Port|Hoole|"  # noqa: SIM905
    "Upton|Blacon|Handbridge|Saltney|Whitby|Kidderminster|Redditch|Bromsgrove|Malvern|Evesham|"
    "Pershore|Droitwich|Worcester|Bewdley|Stourport|Crewe|Nantwich|Macclesfield|Congleton|"
    "Wilmslow|Knutsford|Sandbach|Middlewich|Alsager|Poynton|Runcorn|Widnes|Warrington|Wrexham|"
    "Mold".split("|")
)
TOPICS = tuple(
    " ".join(
        (
            "memory debt carers autism dementia stroke parkinsons diabetes bereavement grief",
            "mental wellbeing recovery housing benefits money energy food pantry community youth",
            "family parents toddler baby breastfeeding men women older lgbt refugee english",
            "digital computer employment job volunteering walking football swimming yoga tai chi",
            "dance singing choir art craft knitting gardening cooking reading book history music",
            "drama cycling running bowls chess bridge sight hearing deaf blind learning disability",
            "advocacy safety abuse alcohol drug gambling smoking weight fitness strength balance",
            "falls loneliness friendship befriending lunch breakfast tea coffee warm space shelter",
            "furniture clothing school uniform toy library",
        )
    ).split()
)
KINDS = tuple(
    "cafe club group drop-in helpline line service clinic session class course network hub "  # noqa: SIM905
    "centre project scheme support advice circle meet-up surgery programme partnership".split()
)
PREFIXES = tuple(
    "Tuesday Wednesday Thursday Friday Saturday Evening Morning Young Senior Parents' Carers' "  # noqa: SIM905
    "Women's Men's Adult Family Community Friendly Open Quiet Weekly".split()
)
ORG_WORDS = tuple(
    "Trust Network Partnership Association Society Foundation Project Centre Alliance "  # noqa: SIM905
    "Collective Forum".split()
)
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _name(rng: random.Random, town: str) -> str:
    words = []
    if rng.random() < 0.35:
        words.append(rng.choice(PREFIXES))
    words.extend(rng.sample(TOPICS, rng.choice((1, 1, 2, 2, 3))))
    words.append(rng.choice(KINDS))
    name = " ".join(w.capitalize() if w.islower() else w for w in words)
    return f"{town} {name}" if rng.random() < 0.4 else name


def _reword(rng: random.Random, name: str, town: str) -> str:
    """How a second feed writes the same name."""
    words = name.split()
    choice = rng.randrange(6)
    if choice == 0 and town not in name:
        return f"{name} ({town})"
    if choice == 1 and town in name:
        return f"{name.replace(town, '').strip()} - {town}"
    if choice == 2:
        return name.replace("Cafe", "Café").replace(" and ", " & ").upper()
    if choice == 3:
        long = [i for i, w in enumerate(words) if len(w) >= 6]
        if long:
            i = rng.choice(long)
            words[i] = words[i][:2] + words[i][3:]
            return " ".join(words)
    if choice == 4:
        return f"The {name} Group"
    return name.lower()


def _phone(n: int) -> str:
    return f"01632 {n:06d}" if n < 1_000_000 else f"07700 {n % 1_000_000:06d}"


def _reformat(number: str) -> str:
    digits = number.replace(" ", "")
    return random.choice(
        [f"({digits[:5]}) {digits[5:8]} {digits[8:]}", f"+44 (0){digits[1:]}", digits]
    )


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: dict[type, list[dict]] = {
            m: []
            for m in (Organization, Service, Contact, Phone, Location, Address, ServiceAtLocation)
        }
        self.counter = 0
        self.planted: set[tuple[str, str]] = set()

    def _id(self) -> str:
        self.counter += 1
        return f"00000000-0000-4000-8000-{self.counter:012d}"

    def org(self, name: str) -> str:
        oid = self._id()
        self.rows[Organization].append({"id": oid, "name": name, "description": ""})
        return oid

    def service(
        self,
        org: str,
        name: str,
        phone: str | None,
        email: str | None,
        url: str | None,
        postcode: str | None,
        town: str,
    ) -> str:
        sid = self._id()
        self.rows[Service].append(
            {
                "id": sid,
                "organization_id": org,
                "name": name,
                "url": url,
                "email": email,
                "status": "active",
                "listing_status": "active",
                "delivery_modes": [],
            }
        )
        if phone or email:
            cid = self._id()
            self.rows[Contact].append({"id": cid, "service_id": sid, "email": email})
            if phone:
                self.rows[Phone].append({"id": self._id(), "contact_id": cid, "number": phone})
        if postcode:
            lid = self._id()
            self.rows[Location].append(
                {"id": lid, "name": f"{town} venue", "location_type": "physical", "kind": "venue"}
            )
            self.rows[Address].append(
                {
                    "id": self._id(),
                    "location_id": lid,
                    "address_1": "High Street",
                    "city": town,
                    "state_province": "",
                    "postal_code": postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            )
            self.rows[ServiceAtLocation].append(
                {"id": self._id(), "service_id": sid, "location_id": lid}
            )
        return sid


def build(session: Session, services: int, seed: int) -> tuple[set[tuple[str, str]], int]:
    rng = random.Random(seed)
    random.seed(seed)
    b = Builder(rng)
    postcodes = {
        town: [
            f"{town[:2].upper()}{district} {rng.randint(1, 9)}{''.join(rng.choices(_LETTERS, k=2))}"
            for district in range(1, 4)
            for _ in range(60)
        ]
        for town in TOWNS
    }
    made = 0
    originals: list[dict] = []
    phone_n = 0
    for council in range(3):
        town = TOWNS[council]
        org = b.org(f"{town} Council")
        for _ in range(min(1500, services // 20)):
            name = _name(rng, town)
            b.service(
                org,
                name,
                f"0300 123 81{council:02d}",
                f"enquiries@{town.lower()}.gov.uk",
                f"https://www.{town.lower()}.gov.uk/",
                rng.choice(postcodes[town]),
                town,
            )
            made += 1
    org_n = 0
    while made < services:
        org_n += 1
        town = rng.choice(TOWNS)
        org_name = f"{rng.choice(TOPICS).capitalize()} {rng.choice(ORG_WORDS)} {org_n}"
        org = b.org(org_name)
        phone_n += 1
        switchboard = _phone(phone_n)
        home = f"https://org{org_n}.example.org/"
        info = f"info@org{org_n}.example.org"
        for _ in range(min(services - made, rng.choice((1, 1, 2, 3, 4, 6, 10, 25)))):
            name = _name(rng, town)
            if rng.random() < 0.6:
                phone = switchboard
            else:
                phone_n += 1
                phone = _phone(phone_n)
            email = info if rng.random() < 0.5 else f"s{made}@org{org_n}.example.org"
            url = home if rng.random() < 0.4 else f"{home}services/{made}"
            postcode = rng.choice(postcodes[town]) if rng.random() < 0.8 else None
            sid = b.service(org, name, phone, email, url, postcode, town)
            originals.append(
                {
                    "id": sid,
                    "org": org,
                    "org_name": org_name,
                    "name": name,
                    "phone": phone,
                    "email": email,
                    "url": url,
                    "postcode": postcode,
                    "town": town,
                }
            )
            made += 1
    # Plant duplicates: 2% from a second feed, 0.5% repeated within the feed.
    for item in rng.sample(originals, len(originals) // 50):
        other_org = b.org(
            item["org_name"] if rng.random() < 0.3 else f"{item['org_name']} (feed 2)"
        )
        postcode = item["postcode"] if rng.random() < 0.5 else None
        url = item["url"].replace("https://", "http://www.") + "?utm_source=feed2"
        dup = b.service(
            other_org,
            _reword(rng, item["name"], item["town"]),
            _reformat(item["phone"]),
            item["email"].upper() if rng.random() < 0.5 else None,
            url,
            postcode,
            item["town"],
        )
        b.planted.add(tuple(sorted((item["id"], dup))))
    for item in rng.sample(originals, len(originals) // 200):
        dup = b.service(
            item["org"],
            item["name"],
            item["phone"],
            item["email"],
            item["url"],
            item["postcode"],
            item["town"],
        )
        b.planted.add(tuple(sorted((item["id"], dup))))
    for model, rows in b.rows.items():
        for start in range(0, len(rows), 5000):
            session.execute(insert(model), rows[start : start + 5000])
    session.commit()
    return b.planted, len(b.rows[Service])


def _timed(label: str, func):  # type: ignore[no-untyped-def]
    """Wall and CPU time: on a shared machine the CPU time is the figure to compare."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label:<52} {wall:7.2f} s wall {cpu:7.2f} s CPU")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--import-size", type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            print(f"Synthetic directory, {args.services:,} services (seed {args.seed}):")
            planted, total = _timed(
                "build the database", lambda: build(session, args.services, args.seed)
            )
            print(f"  {total:,} services in all, {len(planted):,} planted duplicate pairs")
            listings = _timed(
                "load every listing's name, contacts, postcodes", lambda: load_listings(session)
            )
            blocks = _timed("block", lambda: Blocks(listings))
            pairs = _timed(
                "candidate pairs",
                lambda: {tuple(sorted((s, o))) for s in listings for o in blocks.candidates(s)},
            )
            print(
                f"  {len(pairs):,} candidate pairs ({len(pairs) / len(listings):.1f} per listing)"
            )
            _timed(
                "compare every candidate pair",
                lambda: [compare(listings[a], listings[b]) for a, b in pairs],
            )
            ids = list(listings)
            flags = _timed(
                "flag_duplicates: full scan, stored", lambda: flag_duplicates(session, ids)
            )
            session.commit()
            strengths = Counter(f.strength for f in flags)
            found = {(f.service_a_id, f.service_b_id): f.strength for f in flags}
            likely_hits = sum(found.get(p) == Strength.LIKELY for p in planted)
            any_hits = sum(p in found for p in planted)
            extra = Counter(s for p, s in found.items() if p not in planted)
            likely, possible = strengths[Strength.LIKELY], strengths[Strength.POSSIBLE]
            print(f"  flags: {likely:,} likely, {possible:,} possible")
            share = any_hits / len(planted)
            print(f"  planted pairs found: {any_hits:,} of {len(planted):,} ({share:.1%}); ")
            print(f"    as likely {likely_hits:,} ({likely_hits / len(planted):.1%})")
            likely, possible = extra[Strength.LIKELY], extra[Strength.POSSIBLE]
            print(f"  other pairs flagged: {likely:,} likely, {possible:,} possible")
            batch = ids[-args.import_size :]
            _timed(
                f"flag_duplicates: an import of {len(batch)} against all",
                lambda: flag_duplicates(session, batch),
            )
            session.commit()
            groups = _timed(
                "duplicate_groups for every listing", lambda: duplicate_groups(session, ids)
            )
            print(f"  {len(set(groups.values())):,} cards for {len(groups):,} listings")
            flagged = [f.service_a_id for f in flags[:100]] + ids[:900]
            sample = list(session.scalars(select(Service).where(Service.id.in_(flagged))))

            def one_by_one() -> None:
                for service in sample[:200]:
                    forget_flagged_ids(session)
                    possible_duplicates_json(service)

            _timed("x_possible_duplicates, 200 single API requests", one_by_one)
            _timed(
                f"x_possible_duplicates, {len(sample):,} in one export session",
                lambda: [possible_duplicates_json(s) for s in sample],
            )
            print(f"  {session.query(DuplicateFlag).count():,} flags stored")
        engine.dispose()


if __name__ == "__main__":
    main()
