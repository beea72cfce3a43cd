"""Build the public site's static assets into ``directory/static/dist/``.

Compiles ``directory/static/scss/app.scss`` against GOV.UK Frontend with Dart Sass (npm
``sass``), copies the GOV.UK Frontend and Leaflet scripts, our own scripts and images, names
every file after a hash of its content (``app.3f9c2a1b7d04.css``) and writes ``manifest.json``
mapping logical names to those files. Fingerprinted names let the server tell browsers to keep
each file for a year: a changed file gets a new name, so nobody is ever served a stale one.
Text files also get ``.br`` and ``.gz`` twins so the server can send them compressed without
compressing on every request. Rebuilding while the site runs is safe: files are replaced by
renaming, the manifest last, and only then are files no longer listed removed.

Run after ``npm ci``: ``python scripts/build_assets.py`` (``make assets`` does both).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
SOURCE = ROOT / "directory" / "static"
DIST = SOURCE / "dist"
GOVUK = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
LEAFLET = NODE_MODULES / "leaflet" / "dist"
COMPRESSIBLE = {".css", ".js", ".svg", ".json"}
SOURCE_MAP_COMMENT = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*")
CSS_URL = re.compile(r"url\((['\"]?)(images/[^'\")]+)\1\)")
LEAFLET_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png")


class BuildError(RuntimeError):
    """Raised with a message saying what to install or run when a build input is missing."""


def fingerprinted(name: str, content: bytes) -> str:
    """``leaflet/leaflet.css`` -> ``leaflet/leaflet.<hash>.css`` (hash of the content)."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def compile_sass() -> bytes:
    """Compile our stylesheet; Dart Sass reads GOV.UK Frontend through the load path."""
    sass = NODE_MODULES / ".bin" / "sass"
    if not sass.exists():
        raise BuildError("Dart Sass is missing: run `npm ci` in the project folder first")
    result = subprocess.run(
        [
            str(sass),
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            f"--load-path={NODE_MODULES}",
            str(SOURCE / "scss" / "app.scss"),
        ],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError("Sass failed:\n" + result.stderr.decode("utf-8", "replace"))
    return result.stdout


def strip_source_map(content: bytes) -> bytes:
    """Vendor files name source maps we do not ship; drop the comment to avoid 404s."""
    return SOURCE_MAP_COMMENT.sub(b"", content)


class Build:
    """Collects outputs in dependency order so a file can refer to another's final name."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.manifest: dict[str, str] = {}
        self.written: set[Path] = set()

    def add(self, name: str, content: bytes) -> str:
        target = fingerprinted(name, content)
        path = self.dist / target
        outputs = {path: content}
        if path.suffix in COMPRESSIBLE:
            outputs[path.with_name(path.name + ".gz")] = gzip.compress(content, mtime=0)
            outputs[path.with_name(path.name + ".br")] = brotli.compress(content)
        for output, data in outputs.items():
            _write_atomically(output, data)
            self.written.add(output)
        self.manifest[name] = target
        return target

    def relative(self, from_name: str, to_name: str) -> str:
        """Path of ``to_name``'s output as seen from ``from_name``'s folder."""
        target = Path(self.manifest[to_name])
        base = Path(from_name).parent
        return str(target.relative_to(base)) if base != Path(".") else str(target)


def build(dist: Path = DIST) -> dict[str, str]:
    """Build every asset into ``dist`` and return the manifest."""
    for required in (GOVUK / "govuk-frontend.min.js", LEAFLET / "leaflet.js"):
        if not required.exists():
            raise BuildError(f"{required} is missing: run `npm ci` in the project folder first")
    dist.mkdir(parents=True, exist_ok=True)
    out = Build(dist)

    out.add("app.css", compile_sass())
    out.add(
        "govuk-frontend.min.js", strip_source_map((GOVUK / "govuk-frontend.min.js").read_bytes())
    )
    app_js = (SOURCE / "js" / "app.js").read_text()
    app_js = app_js.replace(
        "__GOVUK_FRONTEND_JS__", "./" + out.relative("app.js", "govuk-frontend.min.js")
    )
    out.add("app.js", app_js.encode())
    out.add("map.js", (SOURCE / "js" / "map.js").read_bytes())
    out.add("search_map.js", (SOURCE / "js" / "search_map.js").read_bytes())
    out.add("place_suggest.js", (SOURCE / "js" / "place_suggest.js").read_bytes())

    for image in (*LEAFLET_IMAGES, "marker-shadow.png"):
        out.add(f"leaflet/images/{image}", (LEAFLET / "images" / image).read_bytes())
    leaflet_css = (LEAFLET / "leaflet.css").read_text()
    leaflet_css = CSS_URL.sub(
        lambda m: f"url({out.relative('leaflet/leaflet.css', 'leaflet/' + m.group(2))})",
        leaflet_css,
    )
    out.add("leaflet/leaflet.css", leaflet_css.encode())
    out.add("leaflet/leaflet.js", strip_source_map((LEAFLET / "leaflet.js").read_bytes()))

    for image in sorted((SOURCE / "images").iterdir()):
        out.add(f"images/{image.name}", image.read_bytes())

    manifest = json.dumps(out.manifest, indent=2, sort_keys=True) + "\n"
    _write_atomically(dist / "manifest.json", manifest.encode())
    out.written.add(dist / "manifest.json")
    _remove_stale(dist, out.written)
    return out.manifest


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and rename over it, so a running server never reads half a
    file; an unchanged file keeps its name, so pages already sent keep working."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == content:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _remove_stale(dist: Path, keep: set[Path]) -> None:
    """Delete outputs of earlier builds once the new manifest is in place."""
    for path in sorted(dist.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def main() -> int:
    try:
        manifest = build()
    except BuildError as exc:
        print(f"build_assets: {exc}", file=sys.stderr)
        return 1
    print(f"build_assets: wrote {len(manifest)} files to {DIST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
