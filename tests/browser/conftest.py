"""Real headless Chromium against the app served on a free localhost port.

The app runs in a werkzeug server thread on a seeded SQLite database (the public-page test data:
the realistic directory plus a demonstration listing, a closed service, a domestic abuse
service and an empty Let's Talk site). Chromium is Debian's ``/usr/bin/chromium``, driven by
Playwright; if it is missing every browser test fails and says to run
``scripts/install_browser.sh``. Nothing leaves the machine: requests to other hosts (map tiles,
the "Exit this page" destination) are answered locally or refused.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from directory import create_app
from directory.config import PROJECT_ROOT
from tests.public.conftest import build_public_data

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
EXIT_PAGE = "https://www.bbc.co.uk/weather"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass
class Site:
    """The running site and the addresses of one page of every type."""

    base_url: str
    pages: dict[str, str]

    def url(self, name_or_path: str) -> str:
        return self.base_url + self.pages.get(name_or_path, name_or_path)


def _page_paths(data) -> dict[str, str]:
    hub = data.service("Blacon Friendship Café").service_at_locations[0].location
    org = data.service("Blacon Food Bank").organization
    return {
        "home": "/",
        "service": f"/services/{data.demo.id}",
        "service_closed": f"/services/{data.closed.id}",
        "service_safety": f"/services/{data.refuge.id}",
        "report": f"/services/{data.demo.id}/report",
        "report_sent": f"/services/{data.demo.id}/report-sent",
        "organisation": f"/organisations/{org.id}",
        "place": f"/places/{hub.id}",
        "place_empty": f"/places/{data.empty_lets_talk.id}",
        "hubs": "/hubs",
        "lets_talk": "/lets-talk",
        "cover_your_tracks": "/cover-your-tracks",
        "accessibility": "/accessibility",
        "cookies": "/cookies",
        "privacy": "/privacy",
        "not_found": "/services/not-a-listing",
    }


@pytest.fixture(scope="session")
def site(
    migrated_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    if not (PROJECT_ROOT / "directory" / "static" / "dist" / "manifest.json").exists():
        pytest.fail("The CSS and JavaScript are not built: run `make assets` first.")
    folder = tmp_path_factory.mktemp("browser-site")
    db_path = folder / "directory.sqlite"
    shutil.copy(migrated_sqlite_template, db_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(folder / "search_index"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        from directory.db import db

        paths = _page_paths(build_public_data(db.session))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Absolute links (share links, emails) come from PUBLIC_BASE_URL: the live server's own.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", paths)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["database"].engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `scripts/install_browser.sh` "
            "(make test runs it for you)."
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _offline(route) -> None:
    """Answer requests for other sites here: tiles are refused, the exit page is a stub."""
    if route.request.url.startswith(EXIT_PAGE):
        route.fulfill(status=200, content_type="text/html", body="<title>BBC Weather</title>")
    else:
        route.abort()


@pytest.fixture
def open_page(browser, site: Site) -> Iterator:
    """``open_page(width=1280, javascript=True)`` -> a fresh page; problems are recorded on
    ``page.problems`` (script errors, Content Security Policy violations, missing assets)."""
    contexts = []

    def make(width: int = 1280, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            base_url=site.base_url,
        )
        contexts.append(context)
        context.route(lambda url: not url.startswith(site.base_url), _offline)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda response: (
                page.problems.append(f"{response.status} for {response.url}")
                if response.status >= 400 and "/assets/" in response.url
                else None
            ),
        )
        page.on(
            "console",
            lambda message: (
                page.problems.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def without_our_scripts(page) -> None:
    """Put a JavaScript-enabled page into the state a browser without JavaScript shows, so
    axe (which needs JavaScript itself) can check it: our scripts are refused before they
    load and the classes the inline snippet adds are taken off again."""
    page.route("**/assets/**/*.js", lambda route: route.abort())
    page.route("**/assets/*.js", lambda route: route.abort())


def as_without_javascript(page) -> None:
    page.evaluate("document.body.classList.remove('js-enabled', 'govuk-frontend-supported')")


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page as it stands."""
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    return result


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The site behind sign-in (organisations, account and staff pages): tests/browser/private_site.py
from tests.browser.private_site import private_site  # noqa: E402, F401
