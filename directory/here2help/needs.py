"""Free-text needs ("shopping; collect prescriptions; lonley") -> need taxonomy term ids.

Each piece of a cell is read by :func:`directory.help_requests.needs.needs_in_words`, the one
function that reads a resident's words the way search reads a query (search's word folding
and stems, every label, synonym and phrase of the vocabulary whose stems the words all hold,
"soft" words such as "help" or "mum" meaning nothing beside a real word, only terms of the
needs taxonomy, the narrower of a term and its parent). So a need that search and
``/ask-for-help`` understand is understood here, and a synonym staff add to the taxonomy
improves the next import too.

Search's spelling correction is not used: it needs the search index's dictionary of listing
words, and an import must not depend on an index being built. Misspellings the taxonomy
lists as synonyms ("lonley", "benifits") are understood; others are reported as unmapped,
which is where staff learn which synonyms to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from directory.help_requests.needs import narrow, needs_in_words
from directory.public.search_params import TermIndex, load_terms
from search_index.analysis import clean_text
from search_index.vocabulary import Vocabulary, load_vocabulary

#: What separates needs in one cell: ";" as documented, and the "," "/" "|" and line breaks
#: spreadsheets end up with. Each piece is mapped on its own, so an unmapped one shows.
_SEPARATORS = re.compile(r"[;,/|\n\r]+")
#: An unmapped piece is reported at most this long (it is a need, not a story).
MAX_REPORTED = 60
_EMAIL = re.compile(r"\S+@\S+")
#: Cells that say "nothing here" in a spreadsheet's way.
PLACEHOLDERS = frozenset({
    "", "-", "--", "?", "n/a", "na", "none", "nil", "null", "unknown", "tbc", "not known",
    "not given", "not provided", "none given", "no email", "no phone",
})  # fmt: skip
_DIGITS = re.compile(r"\d[\d\s()+-]{4,}\d|\d+")


@dataclass
class Mapped:
    """The term ids a cell maps to, and its pieces that mapped to nothing (as reported)."""

    term_ids: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


class NeedMapper:
    """Maps need text to the need terms of the directory ``session`` is bound to.

    Built once per import: the vocabulary is read once, and each distinct piece of text is
    mapped once (a Here2Help export repeats "Shopping" thousands of times)."""

    def __init__(self, session: Session) -> None:
        self.vocab: Vocabulary = load_vocabulary(session)
        self.terms: TermIndex = load_terms(session)
        self._cache: dict[str, tuple[str, ...]] = {}

    def map(self, text: str | None, *, private_words: tuple[str, ...] = ()) -> Mapped:
        """Term ids for the pieces of ``text`` in the order first met, narrowed;
        ``private_words`` (the row's own name) are blanked from what is reported unmapped."""
        result = Mapped()
        if is_blank(text):
            return result
        chosen: list[str] = []
        for piece in _SEPARATORS.split(text or ""):
            piece = clean_text(piece)
            if is_blank(piece):
                continue
            terms = self._piece(piece)
            if terms:
                chosen += [t for t in terms if t not in chosen]
            elif shown := reportable(piece, private_words):
                result.unmapped.append(shown)
        result.term_ids = narrow(self.terms, chosen)
        return result

    def _piece(self, piece: str) -> tuple[str, ...]:
        key = piece.lower()
        found = self._cache.get(key)
        if found is None:
            found = tuple(needs_in_words(self.vocab, self.terms, piece))
            if len(self._cache) < 50_000:
                self._cache[key] = found
        return found


def is_blank(text: str | None) -> bool:
    """Empty, or a placeholder such as "n/a" or "-"."""
    return " ".join((text or "").split()).lower() in PLACEHOLDERS


def reportable(piece: str, private_words: tuple[str, ...] = ()) -> str:
    """An unmapped need as the report may show it: lower case, no email addresses or
    numbers (phones, house numbers), none of the row's own name words, cut short."""
    text = _DIGITS.sub("#", _EMAIL.sub("[email]", piece.lower()))
    private = {w.lower() for w in private_words if len(w) > 1}
    words = ["[name]" if w.strip(".,'()") in private else w for w in text.split()]
    shown = " ".join(words)
    return shown if len(shown) <= MAX_REPORTED else shown[: MAX_REPORTED - 1].rstrip() + "…"
