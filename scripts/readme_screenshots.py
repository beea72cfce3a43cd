"""Make the docs' screenshots from a running site, so they can be refreshed after a change.

    .venv/bin/python scripts/readme_screenshots.py http://127.0.0.1:5000

The site should be loaded with the seed data (``flask seed`` and ``flask reindex``): the
script finds its pages by searching for the seeded services by name, as a visitor would, and
builds a list by pressing "Add to my list" on each service page. It needs Playwright (a dev
dependency) and Debian's Chromium (``scripts/install_browser.sh``).

Each page is taken at 1280 CSS pixels wide (the whole page, or its first 1,000 pixels when it
is longer; 2,000 for the handover sheet) and at 320 (the first two phone screens), with
JavaScript on, with every request to another site refused (so no map tiles: the pages are
complete without them), and saved as a palette PNG to keep each file small.
docs/public-site.md, "Screenshots", embeds them.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE, NARROW = 1280, 320
#: Longest wide capture, and the height of the narrow one (two phone screens of 568 pixels).
WIDE_MAX_HEIGHT, NARROW_HEIGHT = 1000, 1136
#: The service page shown, and the list handed over (in the order added).
SERVICE_PAGE = "Carers' support service"
LIST = ("Warm Space at Ellesmere Port", "Active Health Programme", "Carers' support service")
NOTE = ("Active Health Programme", "Ask your GP to refer you. Bring your GP letter.")
SEARCH = ("lonely", "CH65 0AA")


@dataclass(frozen=True)
class Shot:
    """``wide_height``: the longest wide capture. The handover sheet gets more, so that its
    services show and not only the printing instructions above them."""

    name: str
    path: str
    wide_height: int = WIDE_MAX_HEIGHT


def service_path(page: Page, base: str, name: str) -> str:
    """The page of the service with this name, found the way a visitor finds it: by search."""
    page.goto(f"{base}/search?q={quote_plus(name)}")
    for link in page.locator("ol.app-card-list h2 a").all():
        if link.inner_text().strip() == name:
            return link.get_attribute("href") or ""
    sys.exit(f"No service called {name!r} on {base}: is the site loaded with the seed data?")


def build_list(page: Page, base: str, paths: dict[str, str]) -> None:
    """Add the services to the list with the buttons on their pages, then write the note."""
    for name in LIST:
        page.goto(base + paths[name])
        page.get_by_role("button", name=re.compile(r"^Add to my list")).click()
    note_for, note = NOTE
    page.goto(base + "/my-list")
    page.get_by_role("link", name=f"Add a note for {note_for}").click()
    page.locator("textarea").fill(note)
    page.locator("main form button[type=submit]").first.click()


def save(png: bytes, path: Path) -> int:
    """Store as a 256-colour PNG: GOV.UK pages are flat colours and text, so this is much
    smaller than a full-colour PNG with no visible loss."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path.stat().st_size


def capture(page: Page, url: str, width: int, path: Path, wide_height: int) -> int:
    page.set_viewport_size({"width": width, "height": NARROW_HEIGHT if width == NARROW else 900})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if width == NARROW:
        return save(page.screenshot(), path)
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, wide_height)}
    return save(page.screenshot(full_page=True, clip=clip), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the running site, e.g. http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDE, "height": 900})
        context.route(lambda url: not url.startswith(base), lambda route: route.abort())
        page = context.new_page()
        paths = {name: service_path(page, base, name) for name in {*LIST, SERVICE_PAGE}}
        build_list(page, base, paths)
        what, where = SEARCH
        shots = [
            Shot("home", "/"),
            Shot("search-results", f"/search?q={quote_plus(what)}&where={quote_plus(where)}"),
            Shot("service", paths[SERVICE_PAGE]),
            Shot("handover", "/my-list/print", wide_height=2000),
        ]
        for shot in shots:
            for width in (WIDE, NARROW):
                path = args.out / f"{shot.name}-{width}.png"
                size = capture(page, base + shot.path, width, path, shot.wide_height)
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                    f"{size // 1024} KB"
                )
        browser.close()


if __name__ == "__main__":
    main()
