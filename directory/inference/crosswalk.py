"""Method two: the feed's own taxonomy terms, mapped to ours through shipped crosswalks.

A feed's category ("esdServiceType:298 Carers support groups", an OpenActive activity, an
Outpost category) is often the most reliable thing it says about a listing. The crosswalks in
``seeds/crosswalks/`` map the codes and labels of the vocabularies UK feeds use to our need and
client-group codes, each with a confidence; they are our own mapping, written by hand (sources
and licences in ``seeds/crosswalks/SOURCES.md``).

A listing's source term is matched by its vocabulary's name (``esdServiceTypes``, ``outpost``;
compared without case, spaces or punctuation), then by code (the number at the end of an LGA
URI or CURIE, the UUID of an OpenActive URI, an Outpost slug), then by its normalised label,
then by the vocabulary's ``*`` row if it has one (any OpenActive activity is physical activity).
"""

from __future__ import annotations

import csv
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from directory.config import PROJECT_ROOT
from directory.inference import CROSSWALK
from directory.inference.candidates import Candidate
from directory.inference.terms import CuratedTerms
from directory.inference.text import SourceTerm

log = logging.getLogger(__name__)
CROSSWALK_DIR = PROJECT_ROOT / "seeds" / "crosswalks"
ANY = "*"


def normalise(text: str) -> str:
    """Lower case, accents and marks (\u00ae, \u2122) dropped, "&" as "and", only letters
    and digits: "Zumba\u00ae Gold" and "zumba gold" are one label."""
    text = unicodedata.normalize("NFKD", text or "").replace("&", " and ")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _key(text: str) -> str:
    return normalise(text).replace(" ", "")


@dataclass(frozen=True)
class Target:
    term_code: str
    confidence: float
    label: str


@dataclass
class Crosswalk:
    name: str
    vocabularies: frozenset[str]
    code_pattern: re.Pattern[str] | None
    by_code: dict[str, list[Target]] = field(default_factory=dict)
    by_label: dict[str, list[Target]] = field(default_factory=dict)
    any_term: list[Target] = field(default_factory=list)
    source: str = ""
    licence: str = ""

    def code_of(self, code: str) -> str:
        """The code as the crosswalk writes it: taken out of a URI or CURIE where needed."""
        code = (code or "").strip()
        if self.code_pattern is not None:
            found = self.code_pattern.search(code)
            if found:
                return found.group(1).lower()
        return code.lower()

    def targets(self, term: SourceTerm) -> tuple[list[Target], str]:
        """The mapped terms for one source term, and how it matched (code, label or any)."""
        code = self.code_of(term.code)
        if code and code in self.by_code:
            return self.by_code[code], "code"
        label = normalise(term.label)
        if label and label in self.by_label:
            return self.by_label[label], "label"
        if self.any_term:
            return self.any_term, "any"
        return [], ""


def load_crosswalks(folder: Path = CROSSWALK_DIR) -> list[Crosswalk]:
    """Every crosswalk described in ``crosswalks.toml``; a missing or broken file is logged and
    left out, so one bad edit cannot stop imports."""
    index = folder / "crosswalks.toml"
    if not index.is_file():
        return []
    try:
        described = tomllib.loads(index.read_text(encoding="utf-8")).get("crosswalk", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("crosswalks not read from %s: %s", index, exc)
        return []
    out = []
    for item in described:
        try:
            out.append(_load_one(folder, item))
        except (OSError, KeyError, ValueError, re.error, csv.Error) as exc:
            log.warning("crosswalk %s left out: %s", item.get("file"), exc)
    return out


def _load_one(folder: Path, item: dict) -> Crosswalk:
    pattern = item.get("code_pattern") or ""
    walk = Crosswalk(
        name=item["name"],
        vocabularies=frozenset(_key(v) for v in item["vocabularies"]),
        code_pattern=re.compile(pattern) if pattern else None,
        source=item.get("source", ""),
        licence=item.get("licence", ""),
    )
    with (folder / item["file"]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            target = Target(row["term"].strip(), float(row["confidence"]), row["label"].strip())
            if not 0.0 <= target.confidence <= 1.0:
                raise ValueError(f"confidence {target.confidence} is not between 0 and 1")
            code = row["code"].strip()
            if code == ANY:
                walk.any_term.append(target)
                continue
            walk.by_code.setdefault(code.lower(), []).append(target)
            if target.label:
                walk.by_label.setdefault(normalise(target.label), []).append(target)
    return walk


@lru_cache(maxsize=1)
def default_crosswalks() -> tuple[Crosswalk, ...]:
    return tuple(load_crosswalks())


class CrosswalkMatcher:
    """The crosswalks, ready to read listings' source terms."""

    def __init__(self, curated: CuratedTerms, crosswalks: Iterable[Crosswalk] | None = None):
        self.curated = curated
        self.crosswalks = list(default_crosswalks() if crosswalks is None else crosswalks)
        self._codes = {code: term_id for term_id, code in curated.code.items()}

    def crosswalk_for(self, vocabulary: str) -> Crosswalk | None:
        key = _key(vocabulary)
        for walk in self.crosswalks:
            if key in walk.vocabularies:
                return walk
        return None

    def candidates(self, source_terms: Iterable[SourceTerm]) -> list[Candidate]:
        best: dict[str, Candidate] = {}
        for term in source_terms:
            walk = self.crosswalk_for(term.vocabulary)
            if walk is None:
                continue
            targets, how = walk.targets(term)
            for target in targets:
                term_id = self._codes.get(target.term_code)
                if term_id is None:
                    continue
                shown = term.label or term.code
                evidence = f'{term.vocabulary} {term.code}: "{shown}" ({how})'
                found = Candidate(term_id, CROSSWALK, target.confidence, evidence)
                if term_id not in best or found.confidence > best[term_id].confidence:
                    best[term_id] = found
        return list(best.values())
