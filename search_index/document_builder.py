"""Building one listing's search documents: their fields, their text and their table row.

A service offered at several places gives one document per place (``service_at_location``),
so a search near Ellesmere Port finds the Ellesmere Port session and shows its distance. A
service reached without going anywhere (phone, online, outreach, or with no venue at all) also
gets one "area" document carrying the ONS codes of the local authorities it covers. Only
ACTIVE listings are indexed: a service that is not public (any more) gets no documents.

Split from ``search_index.documents``, which reads the listings, keeps a builder from one call
to the next and still names ``DocumentBuilder``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from directory.listings import opening
from directory.listings.html import html_to_text
from directory.listings.visibility import is_public
from directory.models import LocationKind
from directory.places.local import bare_name_ok
from directory.places.names import fold_name
from search_index.analysis import MAX_QUERY_WORDS, Word, words_of
from search_index.document_inputs import gazetteer_at, is_free, last_checked, taxonomy_vocabulary
from search_index.geo import cell_terms
from search_index.names import name_key, strip_place_words
from search_index.records import PlaceRecord, ServiceRecord, VenueRecord
from search_index.schema import COORD_SCALE, NATIONAL, age_bands_for, encode_hours, weighted

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer
    from directory.places.place import Place
    from search_index.vocabulary import Vocabulary

REMOTE_MODES = ("phone", "online")
SUMMARY_CHARS = 1500
#: Entries a reused ``DocumentBuilder`` keeps in each of its caches before emptying it.
BUILDER_CACHE = 20_000
_NATIONAL_EXTENTS = ("national", "country", "uk", "england")
#: ``fold_name`` reads at most this many characters of a text.
_FOLD_CHARS = 200


class DocumentBuilder:
    """Builds documents with the taxonomy (for ancestors, labels and synonyms) loaded once.

    Opening hours and postcode look-ups are kept per distinct value: a directory repeats the
    same weekly sessions again and again, and working one out takes a fraction of a
    millisecond."""

    def __init__(
        self,
        session: Session,
        gazetteer: Gazetteer | None = None,
        vocab: Vocabulary | None = None,
    ) -> None:
        self.vocab = vocab if vocab is not None else taxonomy_vocabulary(session)
        self.gazetteer = gazetteer if gazetteer is not None else gazetteer_at()
        self.today = datetime.now(UTC).date()
        self._hours: dict[tuple, dict[str, Any]] = {}
        self._postcodes: dict[str, tuple[Place | None, set[str]]] = {}
        self._cores: dict[str, str] = {}
        #: name -> the stems ``name_terms`` takes from it (its first meaningful words)
        self._stems: dict[str, frozenset[str]] = {}
        #: runs of one to three words -> whether they name a place (``strip_place_words``)
        self._place_runs: dict[str, bool] = {}
        #: one word as typed -> ``fold_name`` of it
        self._folds: dict[str, str] = {}
        #: a venue's description -> its plain text
        self._texts: dict[str, str] = {}
        #: (fees, cost options) -> whether the listing says free
        self._free: dict[tuple, bool] = {}
        #: the gazetteer's list of folded place names, and the same as a set
        self._town_list: object = None
        self._towns: frozenset[str] = frozenset()

    def trim(self) -> None:
        """Empty the caches once one holds ``BUILDER_CACHE`` entries (a builder is reused
        from one call to the next: ``builder_for``)."""
        for cache in (
            self._hours, self._postcodes, self._cores, self._stems, self._place_runs,
            self._folds, self._texts, self._free,
        ):  # fmt: skip
            if len(cache) >= BUILDER_CACHE:
                cache.clear()

    def core_name(self, name: str | None) -> str:
        """``name_key`` of a name without its place words: "Let's Talk Blacon" and "Let's Talk
        (Ellesmere Port)" are both "let_talk", so "let's talk" names every one of them."""
        if not name:
            return ""
        found = self._cores.get(name)
        if found is None:
            self._analyse(name)
            found = self._cores[name]
        return found

    def name_stems(self, name: str | None) -> frozenset[str]:
        """The stems ``names.name_terms`` takes from one name (its first ``MAX_QUERY_WORDS``
        words that are not stop words)."""
        if not name:
            return frozenset()
        found = self._stems.get(name)
        if found is None:
            found = self._stems[name] = frozenset(
                w.stem for w in [w for w in words_of(name) if not w.stop][:MAX_QUERY_WORDS]
            )
        return found

    def _analyse(self, name: str) -> None:
        """Fill both caches of a name (its stems and its core) from one reading of it."""
        words = [w for w in words_of(name) if not w.stop]
        if name not in self._stems:
            self._stems[name] = frozenset(w.stem for w in words[:MAX_QUERY_WORDS])
        kept = self._strip_places(words)
        self._cores[name] = name_key(w.stem for w in kept) if kept else ""

    def _strip_places(self, words: list[Word]) -> list[Word]:
        """``names.strip_place_words`` with the gazetteer's place names as a set: a run is a
        place when its folded text is one of them (``Gazetteer.town`` finds places by that
        key, and every key has a place), folded word by word (``fold_name`` of words joined
        by spaces is their folds joined by spaces, the empty ones left out), each word once.
        """
        gazetteer = self.gazetteer
        names = getattr(gazetteer, "town_names", None)
        if gazetteer is None or names is None:
            return strip_place_words(words, gazetteer, self._place_runs)
        town_list = names()
        if town_list is not self._town_list:  # the gazetteer's places changed
            self._town_list, self._towns = town_list, frozenset(town_list)
            self._place_runs.clear()
        towns, known, folds = self._towns, self._place_runs, self._folds
        typed = [w.typed for w in words]
        folded = []
        for text in typed:
            fold = folds.get(text)
            if fold is None:
                fold = folds[text] = fold_name(text)
            folded.append(fold)
        kept: list[Word] = []
        count = len(words)
        i = 0
        while i < count:
            for size in (3, 2, 1):
                if i + size > count:
                    continue
                text = " ".join(typed[i : i + size])
                place = known.get(text)
                if place is None:
                    if len(text) <= _FOLD_CHARS:
                        key = " ".join(f for f in folded[i : i + size] if f)
                    else:
                        key = fold_name(text)
                    place = known[text] = bool(bare_name_ok(key) and key in towns)
                if place:
                    i += size
                    break
            else:
                kept.append(words[i])
                i += 1
        return kept

    def _is_free(self, service: ServiceRecord) -> bool:
        """``is_free``, kept per distinct fees text and cost options (a directory repeats
        a few of them)."""
        options = service.cost_options or ()
        key = (service.fees, *((c.amount, c.option, c.amount_description) for c in options))
        found = self._free.get(key)
        if found is None:
            found = self._free[key] = is_free(service)
        return found

    def _text(self, text: str) -> str:
        """``html_to_text`` of a venue's description, kept per distinct text."""
        if not text:
            return ""
        found = self._texts.get(text)
        if found is None:
            found = self._texts[text] = html_to_text(text)
        return found

    def documents(self, service: ServiceRecord) -> list[dict[str, Any]]:
        if service.duplicate_of or not is_public(service, self.today):
            # A likely duplicate of another public listing is found through that one.
            return []
        common = self._common(service)
        docs = []
        for venue in service.venues:
            location = venue.location
            if location is None or location.kind == LocationKind.VIRTUAL:
                continue
            docs.append(self._venue(service, venue, location, common))
        modes = set(service.delivery_modes or ())
        if not docs or modes & set(REMOTE_MODES):
            docs.append(self._area(service, common))
        return docs

    def _common(self, service: ServiceRecord) -> dict[str, Any]:
        vocab = self.vocab
        links = service.links
        needs = list(dict.fromkeys(t for kind, t in links if kind == "need"))
        groups = list(dict.fromkeys(t for kind, t in links if kind == "client_group"))
        need_tree = list(dict.fromkeys(a for t in needs for a in vocab.ancestors(t)))
        group_tree = list(dict.fromkeys(a for t in groups for a in vocab.ancestors(t)))
        parents = [t for t in need_tree if t not in needs]
        synonyms = [s for t in needs + groups if t in vocab.terms for s in vocab.terms[t].synonyms]
        # Inferred terms count like curated ones for filters and facets ("need", "group"),
        # but only curated ones are in "cneed"/"cgroup", so a curated term outranks them.
        guessed = [t for kind, t, _ in service.inferred if kind == "need" and t not in need_tree]
        guessed_groups = [
            t for kind, t, _ in service.inferred if kind == "client_group" and t not in group_tree
        ]
        all_needs = dict.fromkeys(need_tree)
        all_needs.update((a, None) for t in guessed for a in vocab.ancestors(t))
        all_groups = dict.fromkeys(group_tree)
        all_groups.update((a, None) for t in guessed_groups for a in vocab.ancestors(t))
        org = service.organization
        checked = last_checked(service)
        flags = ["free"] if self._is_free(service) else []
        if service.is_demonstration or (org is not None and org.is_demonstration):
            flags.append("demo")
        name, alternate = service.name, service.alternate_name
        cores = " ".join(filter(None, (self.core_name(name), self.core_name(alternate))))
        return {
            "name_stems": self.name_stems(name) | self.name_stems(alternate),
            "name_core": cores,  # core_name first: it finds the stems in the same reading
            "description": html_to_text(service.description),  # feeds send HTML: index words
            "need_labels": [vocab.label(t) for t in needs],
            "inferred_labels": [vocab.label(t) for t in guessed + guessed_groups],
            "need": " ".join(all_needs),
            "group": " ".join(all_groups),
            "cneed": " ".join(need_tree),
            "cgroup": " ".join(group_tree),
            "parent_labels": [vocab.label(t) for t in parents],
            "group_labels": [vocab.label(t) for t in groups],
            "synonyms": synonyms,
            "org_name": org.name if org else "",
            "org_id": org.id if org else None,
            "areas": _area_codes(service.areas),
            "modes": [m for m in service.delivery_modes or () if isinstance(m, str)],
            "flags": flags,
            "checked": checked,
            "age_band": " ".join(
                age_bands_for(_age(service.minimum_age), _age(service.maximum_age))
            ),
        }

    def _hours_fields(self, schedules: list[dict[str, Any]]) -> dict[str, Any]:
        key = tuple(tuple(sorted(s.items())) for s in schedules)
        found = self._hours.get(key)
        if found is None:
            signature = opening.weekly_signature(schedules, self.today)
            intervals = [
                (d * 1440 + lo, d * 1440 + hi) for d, spans in signature.items() for lo, hi in spans
            ]
            texts = [t for s in schedules for t in (s.get("description"), s.get("notes"))]
            closed = opening.text_says_closed_on_bank_holidays(*texts)
            days = sorted(opening.open_weekdays(schedules, self.today))
            found = self._hours[key] = {
                "hours": encode_hours(intervals),
                "day": " ".join(map(str, days)),
                "flags": ["bank_holiday_closed"] if closed else [],
            }
        return found

    def _document(
        self,
        service: ServiceRecord,
        common: dict[str, Any],
        *,
        doc_id: str,
        kind: str,
        schedules: list[dict[str, Any]],
        place_text: str = "",
        extra_text: str = "",
        place_name: str = "",
    ) -> dict[str, Any]:
        synonyms = ". ".join(common["synonyms"])
        hours = self._hours_fields(schedules)
        min_age, max_age = _age(service.minimum_age), _age(service.maximum_age)
        checked = common["checked"]
        description = common["description"]
        stems = common["name_stems"]
        if place_name:
            stems = stems | self.name_stems(place_name)
        doc: dict[str, Any] = {
            "doc_id": doc_id,
            "service_id": service.id,
            "service_key": service.id.encode("utf-8"),
            "kind": kind,
            "name": " ".join(sorted(stems)),  # names.name_terms of the three names
            "name_core": common["name_core"],
            "all": weighted(
                {
                    "name": service.name or "",
                    "need": ". ".join(common["need_labels"]),
                    "synonym": synonyms,
                    "alternate_name": service.alternate_name or "",
                    "parent_need": ". ".join(common["parent_labels"] + common["group_labels"]),
                    "organisation": common["org_name"],
                    "description": f"{description} {self._text(extra_text)}".strip(),
                    "eligibility": service.eligibility_description or "",
                    "place": place_text,
                    "inferred_need": ". ".join(common["inferred_labels"]),
                }
            ),
            "group": common["group"],
            "need": common["need"],
            "cgroup": common["cgroup"],
            "cneed": common["cneed"],
            "mode": " ".join(common["modes"]),
            "flag": " ".join(common["flags"] + hours["flags"]),
            "day": hours["day"],
            "age_band": common["age_band"],
            "hours": hours["hours"],
            "checked": checked.toordinal() if checked else 0,
            "row": {
                "service_id": service.id,
                "name": service.name or "",
                "organisation_name": common["org_name"],
                "organisation_id": common["org_id"],
                "summary": description[:SUMMARY_CHARS],
                "modes": common["modes"],
                "free": "free" in common["flags"],
                "needs": common["need_labels"],
                "checked": checked.isoformat() if checked else None,
                "demo": "demo" in common["flags"],
                "schedules": schedules,
            },
        }
        if min_age is not None:
            doc["age_min"] = min_age
        if max_age is not None:
            doc["age_max"] = max_age
        return doc

    def look_up_postcodes(self, services: Iterable[ServiceRecord]) -> None:
        """Look up the postcodes of these services' venues that are not cached yet, in one
        go (``Gazetteer.postcodes``): a rebuild's batch of 2,000 services has over a thousand
        distinct ones, and a query each took a build worker about a second in all."""
        if not self.gazetteer:
            return
        cached = self._postcodes
        wanted = {
            venue.location.postcode
            for service in services
            for venue in service.venues
            if venue.location is not None and venue.location.postcode
        }.difference(cached)
        if not wanted:
            return
        containing = self.gazetteer.authorities_containing
        for postcode, place in self.gazetteer.postcodes(wanted).items():
            cached[postcode] = (place, containing(place) if place else set())

    def _place(self, postcode: str | None) -> tuple[Place | None, set[str]]:
        """The gazetteer's place of a postcode and the authorities it lies in."""
        if not self.gazetteer or not postcode:
            return None, set()
        found = self._postcodes.get(postcode)
        if found is None:
            place = self.gazetteer.postcode(postcode)
            areas = self.gazetteer.authorities_containing(place) if place else set()
            found = self._postcodes[postcode] = (place, areas)
        return found

    def _venue(
        self,
        service: ServiceRecord,
        venue: VenueRecord,
        location: PlaceRecord,
        common: dict[str, Any],
    ) -> dict[str, Any]:
        postcode = location.postcode
        lat, lon = location.latitude, location.longitude
        place, authorities = self._place(postcode)
        areas = common["areas"] | authorities
        if place is not None and (lat is None or lon is None):
            lat, lon = place.latitude, place.longitude
        place_text = " ".join(t for t in (location.name, location.city, postcode) if t)
        doc = self._document(
            service,
            common,
            doc_id=f"{service.id}:{venue.id}",
            kind="venue",
            schedules=venue.schedules or service.schedules,
            place_text=place_text,
            place_name=location.name or "",
            extra_text=venue.description or "",
        )
        doc["area"] = " ".join(sorted(areas))
        doc["sal_key"] = venue.id.encode("utf-8")
        doc["row"].update(
            sal_id=venue.id,
            location_id=location.id,
            location_name=location.name,
            location_kind=str(location.kind.value) if location.kind else None,
            postcode=postcode,
            lat=lat,
            lon=lon,
        )
        if lat is not None and lon is not None:
            doc["lat"] = round(lat * COORD_SCALE)
            doc["lon"] = round(lon * COORD_SCALE)
            doc["cell"] = " ".join(cell_terms(lat, lon))
        return doc

    def _area(self, service: ServiceRecord, common: dict[str, Any]) -> dict[str, Any]:
        doc = self._document(
            service, common, doc_id=f"{service.id}:area", kind="area", schedules=service.schedules
        )
        doc["area"] = " ".join(sorted(common["areas"]))
        doc["row"].update(sal_id=None, location_id=None, location_name=None, location_kind=None)
        doc["row"].update(postcode=None, lat=None, lon=None)
        return doc


def _age(value: float | None) -> int | None:
    if value is None:
        return None
    return max(0, min(255, round(value)))


def _area_codes(areas: Iterable[tuple[str | None, str | None]]) -> set[str]:
    codes = set()
    for extent_type, extent in areas:
        kind = (extent_type or "").strip().lower()
        extent = (extent or "").strip()
        if kind == "local_authority" and extent:
            codes.add(extent.upper())
        elif kind in _NATIONAL_EXTENTS:
            codes.add(NATIONAL)
    return codes
