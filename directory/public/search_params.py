"""The results page's query string: read safely into ``SearchParams``, turned into a
``SearchRequest``, and written back into links (paging, sorting, removing a filter).

Everything here treats the query string as hostile: values are cut to a sane length, lists to
a few dozen items, numbers are parsed without raising, and unknown values are dropped rather
than reported, so any URL anyone can type gives a normal page. Needs and client groups go in
URLs as their readable taxonomy codes (``need=money``) so links can be read out over the
phone; term ids are accepted too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Attribute, TaxonomyTerm
from search_index import SearchRequest
from search_index.api import MAX_RADIUS_KM
from search_index.facets import AGE_BANDS
from search_index.vocabulary import Vocabulary, load_vocabulary

KM_PER_MILE = 1.609344
MAX_TEXT = 200
MAX_PLACE = 100
MAX_LIST = 30
MAX_PAGE = 500
MAX_RADIUS_MILES = math.floor(MAX_RADIUS_KM / KM_PER_MILE)
#: A typical age in each band, used as the age a service must accept when a band is chosen.
BAND_AGES = {"children": 8, "young_people": 15, "adults": 40, "older_people": 70}
MODES = ("in_person", "phone", "online")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WHO = ("me", "carer", "worker")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,80}")
_AREA_CODE = re.compile(r"[A-Za-z][0-9]{8}")
_terms_cache: dict[str, tuple[Vocabulary, TermIndex]] = {}


@dataclass(frozen=True)
class Term:
    id: str
    code: str
    label: str
    description: str
    parent_id: str | None
    taxonomy_id: str | None


@dataclass
class TermIndex:
    """The taxonomy as the public pages need it: by id, by code, the tree, and which
    taxonomies hold needs (as opposed to client groups)."""

    by_id: dict[str, Term] = field(default_factory=dict)
    by_code: dict[str, Term] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    need_taxonomies: set[str | None] = field(default_factory=set)

    def find(self, token: str) -> Term | None:
        return self.by_id.get(token) or self.by_code.get(token.lower())

    def key(self, term_id: str) -> str:
        """What a URL carries for a term: its code when it has a unique one, else its id."""
        term = self.by_id.get(term_id)
        if term and term.code and self.by_code.get(term.code.lower()) is term:
            return term.code
        return term_id

    def label(self, term_id: str) -> str:
        term = self.by_id.get(term_id)
        return term.label if term else term_id

    def ancestors(self, term_id: str) -> list[str]:
        chain: list[str] = []
        current = self.by_id.get(term_id)
        while current and current.parent_id and len(chain) < 20:
            chain.append(current.parent_id)
            current = self.by_id.get(current.parent_id)
        return chain

    def subtree(self, codes: Iterable[str]) -> set[str]:
        """Ids of the terms with these codes and of every term below them."""
        found = [t.id for code in codes if (t := self.by_code.get(code))]
        result: set[str] = set()
        while found:
            term_id = found.pop()
            if term_id not in result:
                result.add(term_id)
                found.extend(self.children.get(term_id, ()))
        return result

    def top_level_needs(self) -> list[Term]:
        """The root terms of the needs taxonomies, alphabetically."""
        roots = [
            t
            for t in self.by_id.values()
            if t.parent_id is None
            and (not self.need_taxonomies or t.taxonomy_id in self.need_taxonomies)
        ]
        return sorted(roots, key=lambda t: t.label)


def load_terms(session: Session) -> TermIndex:
    """The taxonomy as a ``TermIndex``, re-read whenever the search vocabulary is (once a
    minute, or at once after ``search_index.vocabulary.invalidate()``): every page needs it
    and it changes only when staff edit the taxonomy."""
    vocabulary = load_vocabulary(session)
    key = str(session.get_bind().url)
    cached = _terms_cache.get(key)
    if cached is not None and cached[0] is vocabulary:
        return cached[1]
    index = _read_terms(session)
    _terms_cache[key] = (vocabulary, index)
    return index


def _read_terms(session: Session) -> TermIndex:
    """Read the taxonomy (a few hundred rows) and which taxonomies services use as needs."""
    index = TermIndex()
    rows = session.execute(
        select(
            TaxonomyTerm.id,
            TaxonomyTerm.term,
            TaxonomyTerm.name,
            TaxonomyTerm.description,
            TaxonomyTerm.parent_id,
            TaxonomyTerm.taxonomy_id,
        )
    )
    for term_id, code, name, description, parent_id, taxonomy_id in rows:
        term = Term(term_id, code or "", name or "", description or "", parent_id, taxonomy_id)
        index.by_id[term_id] = term
        if code:
            index.by_code.setdefault(code.lower(), term)
        if parent_id:
            index.children.setdefault(parent_id, []).append(term_id)
    index.need_taxonomies = set(
        session.scalars(
            select(TaxonomyTerm.taxonomy_id)
            .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
            .where(Attribute.link_type == "need")
            .distinct()
        )
    )
    return index


@dataclass(frozen=True)
class SearchParams:
    """One results page as the query string asked for it, already cleaned."""

    q: str = ""
    where: str = ""
    needs: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    age: str = ""
    free: bool = False
    modes: tuple[str, ...] = ()
    open_now: bool = False
    day: str = ""
    sort: str = "best"
    page: int = 1
    radius: int | None = None
    urgent: bool = False
    who: str = ""
    shortened: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(
            self.needs or self.groups or self.areas or self.age or self.free or self.modes
        ) or bool(self.open_now or self.day)

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.where or self.has_filters)

    def pairs(self, **changes: object) -> list[tuple[str, str]]:
        """The query string for this page with ``changes`` applied, defaults left out, in a
        fixed order (so the same search always has the same shareable URL)."""
        params = replace(self, **changes) if changes else self
        out: list[tuple[str, str]] = []
        for name, value in (("q", params.q), ("where", params.where)):
            if value:
                out.append((name, value))
        out += [("need", v) for v in params.needs]
        out += [("group", v) for v in params.groups]
        out += [("area", v) for v in params.areas]
        if params.age:
            out.append(("age", params.age))
        if params.free:
            out.append(("free", "yes"))
        out += [("mode", v) for v in params.modes]
        if params.open_now:
            out.append(("open", "now"))
        if params.day:
            out.append(("day", params.day))
        if params.radius:
            out.append(("radius", str(params.radius)))
        if params.sort != "best":
            out.append(("sort", params.sort))
        if params.who:
            out.append(("who", params.who))
        if params.urgent:
            out.append(("urgent", "yes"))
        if params.page > 1:
            out.append(("page", str(params.page)))
        return out

    def query(self, **changes: object) -> str:
        """``?q=...`` for a link to this search with ``changes`` (a new filter goes back to
        page 1 unless ``page`` is given)."""
        if "page" not in changes:
            changes["page"] = 1
        encoded = urlencode(self.pairs(**changes))
        return "?" + encoded if encoded else ""


def clean(value: object, limit: int) -> tuple[str, bool]:
    """A single line of printable text of at most ``limit`` characters, and whether it was cut.
    Control and format characters and unpaired surrogates are removed."""
    if not isinstance(value, str):
        return "", False
    text = value[: limit * 4]
    if not (text.isascii() and text.isprintable()):
        text = "".join(
            " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
            for ch in text
            if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
        )
    text = " ".join(text.split())
    cut = len(text) > limit or len(value) > limit * 4
    return text[:limit].rstrip(), cut


def _tokens(values: Iterable[object], allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    allowed_set = set(allowed) if allowed is not None else None
    out: list[str] = []
    for value in list(values)[: MAX_LIST * 2]:
        if not isinstance(value, str):
            continue
        token = value.strip()
        if not _TOKEN.fullmatch(token):
            continue
        if allowed_set is not None:
            token = token.lower()
            if token not in allowed_set:
                continue
        if token not in out:
            out.append(token)
    return tuple(out[:MAX_LIST])


def _int(value: object, low: int, high: int) -> int | None:
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if low <= number <= high else None


def _flag(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in {"1", "yes", "true", "on", "now"}


def _choice(value: object, allowed: Iterable[str]) -> str:
    token = value.strip().lower() if isinstance(value, str) else ""
    return token if token in allowed else ""


def _age(value: object) -> str:
    if not isinstance(value, str):
        return ""
    token = value.strip().lower()
    if token in AGE_BANDS:
        return token
    number = _int(token, 0, 120)
    return str(number) if number is not None else ""


def _day(value: object) -> str:
    if not isinstance(value, str):
        return ""
    token = value.strip().lower()
    if token in DAYS:
        return token
    number = _int(token, 0, 6)
    return DAYS[number] if number is not None else ""


def parse_args(args: Mapping) -> SearchParams:
    """``SearchParams`` from ``request.args`` (a MultiDict). Never raises."""

    def many(name: str) -> list[object]:
        getlist = getattr(args, "getlist", None)
        return list(getlist(name)) if getlist else [args.get(name)]

    q, q_cut = clean(args.get("q"), MAX_TEXT)
    where, where_cut = clean(args.get("where"), MAX_PLACE)
    areas = tuple(a.upper() for a in _tokens(many("area")) if _AREA_CODE.fullmatch(a))
    return SearchParams(
        q=q,
        where=where,
        needs=_tokens(many("need")),
        groups=_tokens(many("group")),
        areas=areas,
        age=_age(args.get("age")),
        free=_flag(args.get("free")),
        modes=_tokens(many("mode"), MODES),
        open_now=_choice(args.get("open"), ("now",)) == "now",
        day=_day(args.get("day")),
        sort=_choice(args.get("sort"), ("best", "distance")) or "best",
        page=_int(args.get("page"), 1, MAX_PAGE) or 1,
        radius=_int(args.get("radius"), 1, MAX_RADIUS_MILES),
        urgent=_flag(args.get("urgent")),
        who=_choice(args.get("who"), WHO),
        shortened=q_cut or where_cut,
    )


def term_ids(tokens: Iterable[str], terms: TermIndex) -> tuple[str, ...]:
    """Ids of the known terms among ``tokens``. A term is dropped when one of its descendants
    is also chosen, so ticking "Debt advice" under "Money and benefits" narrows the results."""
    ids = list(dict.fromkeys(t.id for token in tokens if (t := terms.find(token))))
    broader = {ancestor for term_id in ids for ancestor in terms.ancestors(term_id)}
    return tuple(term_id for term_id in ids if term_id not in broader)


def to_request(params: SearchParams, terms: TermIndex, per_page: int = 20) -> SearchRequest:
    """The engine's request for these parameters (radius in miles becomes kilometres)."""
    age: int | None = None
    if params.age in BAND_AGES:
        age = BAND_AGES[params.age]
    elif params.age:
        age = int(params.age)
    return SearchRequest(
        text=params.q,
        place=params.where,
        radius_km=params.radius * KM_PER_MILE if params.radius else None,
        need_ids=term_ids(params.needs, terms),
        client_group_ids=term_ids(params.groups, terms),
        age=age,
        free_only=params.free,
        delivery_modes=params.modes,
        area_codes=params.areas,
        open_day=DAYS.index(params.day) if params.day else None,
        open_now=params.open_now,
        sort=params.sort,
        page=params.page,
        per_page=per_page,
    )


def page_links(params: SearchParams, page: int, pages: int, base: str) -> dict | None:
    """GOV.UK pagination for ``pages`` pages: the first, the last and those either side of
    the current one, with gaps marked, plus previous and next."""
    if pages <= 1:
        return None
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict] = []
    for number in wanted:
        if items and number - items[-1].get("number", number) > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": base + params.query(page=number), "current": number == page}
        )
    links: dict = {"items": items, "landmarkLabel": "Results pages"}
    if page > 1:
        links["previous"] = {"href": base + params.query(page=page - 1)}
    if page < pages:
        links["next"] = {"href": base + params.query(page=page + 1)}
    return links
