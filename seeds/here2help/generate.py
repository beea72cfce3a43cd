"""Write the MADE-UP Here2Help sample set: requests.csv, offers.csv and organisations.csv.

Nothing here is about a real person: names are "Sample Person N" and "Sample Volunteer N",
emails are on the reserved example.org/.com/.net domains, phones are in Ofcom's drama ranges
(01632 960xxx, 07700 900xxx), and new organisations are named "Sample ...". Postcodes are
real ones in Cheshire (CH and CW), drawn from the gazetteer, so coordinates work. Some
organisations deliberately repeat ones in ``seeds/listings/demo.json`` (themselves made up)
so that de-duplication has something to find.

The files are messy on purpose, as real exports are: offers.csv starts with a byte-order
mark, requests.csv has its columns in another order and in other cases, dates come in both
formats (some with a time), needs are worded many ways (some match nothing), there are extra
columns, duplicate rows, blank rows and a few rows that cannot be imported. README.md says
what an import into the demo directory (``flask --app wsgi seed``) reports.

Output depends only on this code, the fixed seed and the gazetteer:
``.venv/bin/python seeds/here2help/generate.py``.
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAZETTEER = HERE.parent / "gazetteer" / "gazetteer.sqlite"
SEED = 13
OUTCODES = ("CH1", "CH2", "CH3", "CH4", "CH64", "CH65", "CH66", "CW6", "CW7", "CW8", "CW9")
START, END = date(2025, 3, 1), date(2026, 11, 30)

#: Need wordings the need list understands, and some it does not (reported as unmapped).
NEEDS = [
    "Shopping", "food shopping", "Shopping; prescriptions", "Shopping & prescriptions",
    "groceries", "collect prescriptions", "Prescription collection", "collect meds from chemist",
    "lonely", "Lonley", "someone to chat to", "befriending", "weekly phone call",
    "check-in calls", "Befriending (phone)", "Food parcel", "food bank", "hot dinners",
    "Emergency food", "help with bills", "Benefits form", "Debt", "computer help",
    "online shopping set up", "mental health support", "anxious about going out",
    "Transport to hospital", "lift to GP appointment", "carer support", "grief",
    "Shopping, collecting prescriptions", "housing advice", "Gas and electric top up",
]  # fmt: skip
TOPICS = ["shopping", "prescriptions", "friendly phone calls", "lifts to appointments",
          "hot meals", "getting online", "food parcels", "home visits"]  # fmt: skip
UNMAPPED = ["ironing", "posting letters", "window cleaning", "general enquiry", "help with forms"]
OUTCOMES = {
    "closed": ["Matched", "matched to volunteer", "Signposted", "signposted to other org",
               "Referred elsewhere", "No match", "no volunteer available", "Withdrawn",
               "cancelled - no longer needed", "self served"],
    "open": ["", "", "", "", "Matched"],
}  # fmt: skip
DETAILS = [
    "Lives alone and cannot get to the shops at the moment.",
    'Needs a weekly shop dropping off, "nothing heavy", prefers mornings.',
    "Recently out of hospital; repeat prescription at the chemist on the high street.",
    "Would like a friendly phone call once or twice a week.",
    "Struggling with the gas and electric since the price went up.",
    "Caller asked on behalf of a neighbour, who agreed to be contacted.",
    "Has a tablet but does not know how to order food online.",
    "Hearing is poor: text or email is better than a call.\nBest after 2pm.",
    "",
]
#: Organisations in the demo directory, written the way another system might have them.
DEMO_DUPLICATES = [
    ("Marlpit Neighbourhood Network", "07700 900122", "", ""),  # exact name and phone
    ("Clover Day Centre Trust Ltd", "", "", ""),  # the same name with "Ltd"
    ("The Lapwing Bereavement Support", "01632 960132", "", ""),  # "The", same phone
    ("Lantern Community Hub", "", "lantern-community-hubs@example.org", ""),  # same email
    ("Skylark Homes", "01632 960033", "", ""),  # a shorter name and the same phone
    ("Damson Volunteer Drivers CIC", "", "", "https://example.org/damson-volunteer-drivers"),
    ("Bluebell Activity Club", "", "", ""),
    ("Honeysuckle Advice Centre", "01632 960003", "", ""),
]
NEW_ORGANISATIONS = [
    "Hoole Good Neighbours", "Blacon Community Pantry", "Upton Helping Hands", "Lache Larder",
    "Handbridge Befrienders", "Boughton Shopping Buddies", "Newton Street Champions",
    "Ellesmere Port Food Share", "Whitby Warm Welcome", "Neston Village Volunteers",
    "Little Sutton Link", "Great Sutton Good Turns", "Frodsham Friendly Calls",
    "Helsby Helpers", "Tarvin Together", "Kelsall Community Support", "Tarporley Lifts",
    "Winsford Wellbeing Walkers", "Northwich Neighbours", "Hartford Help Hub",
    "Castle Street Chatters", "Vicars Cross Volunteers", "Saltney Support Circle",
    "Mickle Trafford Meals", "Christleton Care Calls", "Guilden Sutton Gardeners",
    "Davenham Digital Buddies", "Barnton Befriending Circle", "Weaverham Welcome",
    "Cuddington Connect",
]  # fmt: skip
#: requests.csv's columns: in another order than documented, some in other cases.
REQUEST_COLUMNS = [
    "Status", "Reference", "Name", "Created", "Need", "Details", "Outcome", "Postcode",
    "Phone", "Email", "Matched Offer", "Ward", "referred_by",
]  # fmt: skip


def postcodes(rng: random.Random) -> list[str]:
    conn = sqlite3.connect(GAZETTEER)
    found = []
    for outcode in OUTCODES:
        rows = conn.execute(
            "SELECT pc FROM postcode WHERE pc LIKE ? ORDER BY pc", (f"{outcode}_%",)
        ).fetchall()
        codes = [pc for (pc,) in rows if pc[:-3] == outcode]
        found += [f"{pc[:-3]} {pc[-3:]}" for pc in rng.sample(codes, 12)]
    return found


def messy_postcode(rng: random.Random, pcs: list[str]) -> str:
    roll = rng.random()
    pc = rng.choice(pcs)
    if roll < 0.08:
        return pc.replace(" ", "").lower()
    if roll < 0.11:
        return pc.split(" ")[0]  # only the outcode
    if roll < 0.13:
        return rng.choice(["Chester", "n/a", ""])
    return pc


def day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange((END - START).days))


def written(rng: random.Random, when: date) -> str:
    roll = rng.random()
    if roll < 0.45:
        return when.strftime("%d/%m/%Y")
    if roll < 0.55:
        return f"{when.isoformat()} {rng.randrange(8, 18):02d}:{rng.randrange(60):02d}"
    return when.isoformat()


def phone(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"07700 900{rng.randrange(500, 1000):03d}"
    return f"01632 960{rng.randrange(900, 1000):03d}"


def email(rng: random.Random, who: str, n: int) -> str:
    address = f"{who}.{n}@{rng.choice(['example.org', 'example.com', 'example.net'])}"
    return address.upper() if rng.random() < 0.05 else address


def organisations(rng: random.Random, pcs: list[str]) -> list[dict[str, str]]:
    rows = []
    for i, name in enumerate(NEW_ORGANISATIONS):
        slug = name.lower().replace(" ", "-")
        rows.append({
            "Name": f"Sample {name}", "Postcode": rng.choice(pcs),
            "Phone": f"01632 960{800 + i:03d}", "Email": f"hello@{slug}.example.net",
            "Website": rng.choice([f"https://{slug}.example.net", f"www.{slug}.example.net", ""]),
            "Description": f"A made-up volunteer group helping neighbours with "
                           f"{rng.choice(TOPICS)} (sample data).",
            "charity_number": "", "contact_name": f"Sample Contact {i + 1}",
        })  # fmt: skip
    for name, number, address, site in DEMO_DUPLICATES:
        rows.append({"Name": name, "Postcode": "", "Phone": number, "Email": address,
                     "Website": site, "Description": "", "charity_number": "",
                     "contact_name": ""})  # fmt: skip
    rows.insert(12, dict(rows[3], Name=rows[3]["Name"].upper()))  # the same group again
    rows.insert(20, dict(rows[5], Name=f"The {rows[5]['Name']} Ltd"))
    rows.insert(25, dict(rows[7], Name="", Description="A row with no name"))
    rows.insert(30, dict(rows[9]))
    return rows


def offers(rng: random.Random, pcs: list[str]) -> list[dict[str, str]]:
    rows = []
    for n in range(1, 161):
        if n % 8 == 0:
            name = f"Sample {rng.choice(NEW_ORGANISATIONS)}"
        elif n % 13 == 0:
            name = rng.choice([d[0] for d in DEMO_DUPLICATES])
        elif n % 17 == 0:
            name = "St Sample's Church Helpers"
        else:
            name = f"Sample Volunteer {n}"
        needs = "; ".join(rng.sample(NEEDS, rng.choice([1, 1, 2, 3])))
        if n % 11 == 0:
            needs += "; " + rng.choice(UNMAPPED)
        rows.append({
            "reference": f"OFF-{n:04d}", "created": written(rng, day(rng)), "name": name,
            "needs": needs, "postcode": messy_postcode(rng, pcs),
            "radius_km": rng.choice(["2", "3.5", "5", "5km", "10", "2 miles", "", "lots"]),
            "capacity": rng.choice(["1", "2", "3", "5", "3 people", "", "many"]),
            "phone": phone(rng), "email": email(rng, "sample.volunteer", n),
            "status": rng.choice(["open"] * 5 + ["Open", "closed", "CLOSED"]),
            "dbs_checked": rng.choice(["yes", "no", ""]),
            "availability": rng.choice(["weekday mornings", "evenings", "any time", ""]),
        })  # fmt: skip
    rows.insert(40, dict(rows[39]))  # a duplicate row
    rows.insert(70, dict(rows[70], reference=""))
    rows.insert(90, dict(rows[90], reference="OFF-X", created="31/02/2026"))
    rows.insert(120, dict(rows[120], reference="OFF-Y", status="pending"))
    return rows


def requests(rng: random.Random, pcs: list[str], offer_refs: list[str]) -> list[dict[str, str]]:
    rows = []
    for n in range(1, 321):
        status = "closed" if rng.random() < 0.7 else "open"
        outcome = rng.choice(OUTCOMES[status])
        need = rng.choice(UNMAPPED) if n % 9 == 0 else rng.choice(NEEDS)
        matched = rng.choice(offer_refs) if outcome.lower().startswith("matched") else ""
        if n == 77:
            matched = "OFF-9999"  # an offer not in offers.csv
        rows.append({
            "Reference": f"H2H-{n:05d}", "Created": written(rng, day(rng)), "Need": need,
            "Details": rng.choice(DETAILS), "Postcode": messy_postcode(rng, pcs),
            "Name": f"Sample Person {n}",
            "Phone": phone(rng) if rng.random() < 0.9 else "",
            "Email": email(rng, "sample.person", n) if rng.random() < 0.6 else "not given",
            "Status": status.capitalize() if rng.random() < 0.2 else status,
            "Outcome": outcome, "Matched Offer": matched,
            "Ward": rng.choice(["Hoole", "Blacon", "Upton", "Newton", "Winsford", ""]),
            "referred_by": rng.choice(["self", "GP", "family", "council", ""]),
        })  # fmt: skip
    rows.insert(10, dict(rows[9]))
    rows.insert(50, dict(rows[50], Reference=""))
    rows.insert(100, dict(rows[100], Reference="H2H-BAD1", Created="yesterday"))
    rows.insert(150, dict(rows[150], Reference="H2H-BAD2", Status="pending"))
    rows.insert(200, dict(rows[200], Reference="H2H-BAD3", Created="2026/01/05"))
    rows.insert(250, dict(rows[250], Reference="H2H-000000000000000001"))
    return rows


def to_csv(rows: list[dict[str, str]], columns: list[str], blank_after: int = -1) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for i, row in enumerate(rows):
        writer.writerow(row)
        if i == blank_after:
            out.write(",," + "\r\n")
    return out.getvalue()


def main() -> None:
    rng = random.Random(SEED)
    pcs = postcodes(rng)
    orgs = organisations(rng, pcs)
    org_columns = ["Name", "Postcode", "Phone", "Email", "Website", "Description",
                   "charity_number", "contact_name"]  # fmt: skip
    (HERE / "organisations.csv").write_text(to_csv(orgs, org_columns), encoding="utf-8")
    offer_rows = offers(rng, pcs)
    offer_columns = list(offer_rows[0])
    text = to_csv(offer_rows, offer_columns, blank_after=100)
    (HERE / "offers.csv").write_text("\ufeff" + text, encoding="utf-8")
    refs = [r["reference"] for r in offer_rows if r["reference"].startswith("OFF-0")]
    request_rows = requests(rng, pcs, refs)
    request_columns = REQUEST_COLUMNS
    (HERE / "requests.csv").write_text(to_csv(request_rows, request_columns), encoding="utf-8")


if __name__ == "__main__":
    main()
