"""The docs the code points at exist.

Code and guides cite sections by file and heading, as ``docs/search.md, "Relevance"`` or
``README, "Configuration"`` (in the guides, also ``[gazetteer.md](gazetteer.md), "Measured
figures"``). Headings get renamed and sections move between guides; these tests fail when a
citation names a file or heading that is not there, or when a link to a guide is broken, so a
reader following a comment never lands on nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Where citations are looked for, besides the docs themselves and the README.
CODE_DIRS = ("directory", "search_index", "tests", "scripts", "bench", "templates", "migrations")
CODE_FILES = ("Makefile", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".html", ".txt", ".toml", ".sh", ".md", ".cfg", ".ini"}

#: A file named in prose, then (optionally) a Markdown link target, a possessive, a comma or
#: "under" or a bracket, then the quoted heading. The heading may run over a line break.
CITATION = re.compile(
    r"(?<![\w/.-])(?P<file>README(?:\.md)?|(?:\.\./)?(?:docs/)?(?:adr/)?[\w-]+\.md)"
    r"`{0,2}(?:\]\((?P<target>[^)\s#]*)[^)\s]*\))?(?:'s)?"
    r"(?:,[ \t]*\n?|[ \t]*\n|[ \t]+)[ \t]*(?:#:?[ \t]*)?"
    r"(?:under\s+)?\(?"
    r'"(?P<heading>[^"]{1,200})"'
)
#: A Markdown link to a local file: [text](target) with no scheme.
LINK = re.compile(r"\]\((?P<target>(?![a-z]+:)[^)\s#]*)(?:#(?P<anchor>[^)\s]*))?\)")


@dataclass(frozen=True)
class Citation:
    source: Path
    line: int
    file: Path
    heading: str

    def __str__(self) -> str:
        where = self.source.relative_to(ROOT)
        return f'{where}:{self.line}: {self.file.relative_to(ROOT)}, "{self.heading}"'


def headings(path: Path) -> list[str]:
    """The Markdown headings of a file, outside fenced code blocks."""
    found, fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (match := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            found.append(match.group(1))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def _clean(heading: str) -> str:
    """A heading as cited: comment markers and line breaks inside it folded to spaces."""
    text = re.sub(r"\s*\n\s*(?:#:?\s*|\*\s*)?", " ", heading)
    return re.sub(r"\s+", " ", text).strip()


def _resolve(source: Path, name: str) -> Path | None:
    """The file a citation names; None when the name is not a citation of our docs."""
    if name.startswith("README"):
        return ROOT / "README.md"
    if name.startswith("docs/"):
        return ROOT / name
    in_docs = ROOT / "docs" in source.parents
    return (source.parent / name).resolve() if in_docs else None


def citations_in(source: Path, text: str) -> list[Citation]:
    found = []
    for match in CITATION.finditer(text):
        target = _resolve(source, match.group("target") or match.group("file"))
        if target is None:
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append(Citation(source, line, target, _clean(match.group("heading"))))
    return found


def cites_a_heading(citation: Citation) -> bool:
    """The cited text is a heading of the file, or the start of one (ending at a word end)."""
    if not citation.file.is_file():
        return False
    for heading in headings(citation.file):
        if heading == citation.heading:
            return True
        rest = heading[len(citation.heading) :]
        if heading.startswith(citation.heading) and not rest[:1].isalnum():
            return True
    return False


def _sources() -> list[Path]:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    files += [ROOT / name for name in CODE_FILES if (ROOT / name).is_file()]
    for folder in CODE_DIRS:
        files += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in TEXT_SUFFIXES and path.is_file() and "node_modules" not in path.parts
        ]
    return sorted(set(files))


def all_citations() -> list[Citation]:
    found = []
    for source in _sources():
        if source == Path(__file__).resolve():
            continue  # this file's docstring shows the forms, not real citations
        found += citations_in(source, source.read_text(encoding="utf-8", errors="replace"))
    return found


def test_every_cited_heading_exists():
    citations = all_citations()
    assert len(citations) >= 20, "the citation pattern no longer finds the code's citations"
    broken = [str(c) for c in citations if not cites_a_heading(c)]
    assert not broken, "cited headings that do not exist:\n" + "\n".join(broken)


def test_a_missing_heading_or_file_is_caught():
    source = ROOT / "directory" / "example.py"
    text = (
        '"""See docs/search.md, "Relevance" and docs/search.md, "No such heading";\n'
        'the README, "Configuration"; (docs/gone.md, "Anything"); docs/search.md, "Relev"."""'
    )
    found = {c.heading: cites_a_heading(c) for c in citations_in(source, text)}
    assert found == {
        "Relevance": True,
        "No such heading": False,
        "Configuration": True,
        "Anything": False,
        "Relev": False,  # a heading cut mid-word is not that heading
    }


def test_a_citation_over_a_line_break_is_read_whole():
    source = ROOT / "directory" / "example.py"
    text = '#: Settings (docs/index-operations.md,\n#: "Staying in step with\n#: the database")'
    (citation,) = citations_in(source, text)
    assert citation.heading == "Staying in step with the database"
    assert cites_a_heading(citation)


def _links(path: Path) -> list[tuple[int, str, str | None]]:
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 1, m.group("target"), m.group("anchor"))
        for m in LINK.finditer(text)
        if m.group("target")
    ]


def _broken_links(path: Path) -> list[str]:
    broken = []
    for line, target, anchor in _links(path):
        resolved = (path.parent / target).resolve()
        where = f"{path.relative_to(ROOT)}:{line}: {target}"
        if not resolved.exists():
            broken.append(f"{where} does not exist")
        elif (
            anchor
            and resolved.suffix == ".md"
            and anchor not in {slug(h) for h in headings(resolved)}
        ):
            broken.append(f"{where}#{anchor}: no such heading")
    return broken


def test_every_docs_link_in_the_readme_resolves():
    readme = ROOT / "README.md"
    guides = [target for _, target, _ in _links(readme) if target.startswith("docs/")]
    assert len(guides) >= 10, "the README should index the guides in docs/"
    assert not _broken_links(readme), "\n".join(_broken_links(readme))


def test_every_guide_in_docs_is_indexed_in_the_readme():
    indexed = {
        (ROOT / target).resolve()
        for _, target, _ in _links(ROOT / "README.md")
        if target.startswith("docs/")
    }
    guides = {path.resolve() for path in (ROOT / "docs").glob("*.md")}
    missing = sorted(str(path.relative_to(ROOT)) for path in guides - indexed)
    assert not missing, "guides the README's docs index does not link: " + ", ".join(missing)


def test_every_adr_is_indexed_in_the_readme():
    indexed = {
        (ROOT / target).resolve()
        for _, target, _ in _links(ROOT / "README.md")
        if target.startswith("docs/adr/")
    }
    adrs = {path.resolve() for path in (ROOT / "docs" / "adr").glob("*.md")}
    assert len(adrs) >= 13
    missing = sorted(str(path.relative_to(ROOT)) for path in adrs - indexed)
    assert not missing, "ADRs the README's decisions table does not link: " + ", ".join(missing)


def test_links_between_guides_resolve():
    guides = sorted((ROOT / "docs").rglob("*.md"))
    broken = [line for path in guides for line in _broken_links(path)]
    assert not broken, "\n".join(broken)


def test_the_readme_stays_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < 600, f"README.md has {lines} lines: move topic material to a guide in docs/"
