"""The home page and the results page over the real seed data (seeds/*.json loaded by
directory/seeding.py) with a search index built by the index store: what each result shows,
filters and their counts, sorting, paging, "Did you mean", place messages, the zero-results
page, urgent help and the safety features, and that no query string can break the page.

``seeded_site()`` builds the seeded database and index once per test run; the guided-journey
and browser tests use it too.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from directory import create_app, listeners
from directory import migrate as migrations
from directory.db import make_engine

NAMES = ["q", "where", "need", "group", "area", "age", "free", "mode", "open", "day", "sort",
         "page", "radius", "who", "urgent"]  # fmt: skip
HOSTILE = [
    '"', '"food bank', "food AND", "NOT debt", "*", "deb*", "*:*", "name:debt", "debt~2",
    "debt^9", "(((", "[a TO z]", "'; DROP TABLE service; --", "<script>alert(1)</script>",
    "\x00", "\u202e", "\ufeff", "🍲🏠💷", "👨‍👩‍👧 family", "\uff24\uff45\uff42\uff54", "x" * 10_000,
    "debt " * 2000, "CH1 1AA " * 300, "ZZ99 9ZZ", "%00", "\\", "&&", "||",
]  # fmt: skip


@dataclass
class SeededSite:
    app: Flask
    database_url: str
    index_dir: str


@functools.cache
def seeded_site() -> SeededSite:
    """A migrated SQLite database with every seed file loaded and a search index built.

    Seeding runs on an engine of its own, outside any app, so the index is not updated
    listing by listing; it is built once afterwards with the store's rebuild (a few seconds
    instead of a minute). The pages only read, so every test shares it.
    """
    from directory.seeding import seed_database
    from search_index.sync import get_sync

    folder = Path(tempfile.mkdtemp(prefix="search-pages-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'directory.sqlite'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine)
    # The app's listeners record changes and fill in coordinates, as in `flask seed`.
    listeners.install(factory)
    with factory() as session:
        seed_database(session)  # logged as system:seed
        session.commit()
    engine.dispose()
    app = make_app(url, str(folder / "search_index"))
    with app.app_context():
        get_sync(app).rebuild(procs=1)
    return SeededSite(app, url, str(folder / "search_index"))


def make_app(database_url: str, index_dir: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "search-pages-test",
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": index_dir,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture(scope="module")
def client():
    return seeded_site().app.test_client()


def text_of(html: str) -> str:
    """The words of a page as a reader meets them."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def h1(html: str) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(found) == 1, "a page has exactly one h1"
    return text_of(found[0])


def result_links(html: str) -> list[str]:
    """The service links of the results list, in order."""
    items = html.split('<ol class="app-card-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(
        r'<h2 class="govuk-heading-s[^"]*"><a class="govuk-link" href="([^"]+)"', items
    )


def count_in(heading: str) -> int:
    match = re.match(r"([\d,]+) results?", heading)
    return int(match.group(1).replace(",", "")) if match else 0


def filter_counts(html: str, name: str) -> dict[str, int]:
    """The filter panel's choices for one query-string name: value -> count shown."""
    panel = html.split('id="filters"', 1)[1]
    found = {}
    for value, label in re.findall(
        rf'name="{name}" type="(?:checkbox|radio)" value="([^"]*)".*?<label[^>]*>(.*?)</label>',
        panel,
        re.S,
    ):
        match = re.search(r"\(([\d,]+)\)\s*$", text_of(label))
        if match:
            found[value] = int(match.group(1).replace(",", ""))
    return found


class TestHomePage:
    def test_what_and_where_boxes_and_the_guided_start_button(self, client):
        html = get(client, "/")
        form = html.split('role="search"', 1)[1].split("</form>", 1)[0]
        assert len(re.findall(r'<input class="govuk-input[^"]*" id="q" name="q"', form)) == 1
        assert len(re.findall(r'id="where" name="where"', form)) == 1
        assert 'action="/search"' in html.split('role="search"', 1)[0].rsplit("<form", 1)[1]
        assert re.search(
            r'href="/find-help"[^>]*class="govuk-button govuk-button--start"', html
        ) or re.search(r'class="govuk-button govuk-button--start"[^>]*href="/find-help"', html)

    def test_popular_needs_link_to_results_with_plain_labels(self, client):
        html = get(client, "/")
        popular = html.split('id="popular-heading"', 1)[1].split("</ul>", 1)[0]
        links = re.findall(r'href="(/search\?need=[^"]+)">([^<]+)</a>', popular)
        assert 4 <= len(links) <= 8
        labels = [unescape(label) for _, label in links]
        assert "Money, debt and benefits" in labels and "Feeling lonely or cut off" in labels
        for url, _ in links:
            assert count_in(h1(get(client, unescape(url)))) > 0

    def test_places_near_the_home_area_by_default(self, client):
        text = text_of(get(client, "/"))
        hubs = text.split("Community hubs Local places", 1)[1].split("See all community hubs")[0]
        assert "The Bluecoat" in hubs and "Chester Community Hub" in hubs
        assert "Ellesmere Port Community Hub" not in hubs
        assert "Chester Let's Talk Zone" in text

    def test_places_near_the_place_typed(self, client):
        text = text_of(get(client, "/?where=CH65+0AA"))
        assert "Places you can go near CH65 0AA" in text
        hubs = text.split("Community hubs Local places", 1)[1]
        assert hubs.index("Ellesmere Port Community Hub") < hubs.index("Blacon Playing Fields")
        lets_talk = text.split("Let's Talk sessions Drop in", 1)[1]
        assert re.search(r"nearby\. Ellesmere Port Let's Talk Zone", lets_talk)
        assert "Winsford Let's Talk Zone" not in lets_talk

    def test_an_unknown_place_falls_back_to_the_home_area_with_a_message(self, client):
        text = text_of(get(client, "/?where=Nowheresville+Under+Sea"))
        assert "We could not find a place called 'Nowheresville Under Sea'" in text
        assert "Showing places in Cheshire West and Chester" in text


class TestResults:
    def test_each_result_shows_what_people_choose_by(self, client):
        html = get(client, "/search?q=lonely&where=CH1+2HJ")
        assert re.fullmatch(r"\d+ results for \u2018lonely\u2019 near CH1 2HJ", h1(html))
        links = result_links(html)
        assert links and all(re.fullmatch(r"/services/[0-9a-f-]{36}/[a-z0-9-]+", u) for u in links)
        text = text_of(html)
        assert "<mark>lonely</mark>" in html
        assert "Covers your area" in text and re.search(r"\d(\.\d)? miles? away", text)
        assert "Chester Demo Memorial Hall, CH1 1EF" in text
        assert "Demonstration listing" in text and "Free" in text
        assert re.search(r"Last checked \d{1,2} [A-Z][a-z]+ 20\d\d", text)
        assert re.search(r"(Open|Opens|Closed)", text)
        assert "In person, by phone" in text
        for url in links[:3]:
            assert client.get(url).status_code == 200

    def test_the_count_is_in_the_heading_and_title_and_nothing_is_live(self, client):
        html = get(client, "/search?q=food")
        heading = h1(html)
        # 14 food listings in the seeds, but two Northwich pantries at one postcode are a
        # likely duplicate pair: one card for them.
        assert count_in(heading) == 13
        assert re.search(r"<title>\s*13 results for \u2018food\u2019", html)
        assert "aria-live" not in html

    def test_a_need_filter_and_its_count(self, client):
        html = get(client, "/search?where=Chester")
        shown = filter_counts(html, "need")
        assert shown["money"] > 0
        filtered = get(client, "/search?where=Chester&need=money")
        assert count_in(h1(filtered)) == shown["money"]
        assert "Money, debt and benefits" in h1(filtered)

    def test_choosing_a_narrower_need_narrows_the_results(self, client):
        broad = get(client, "/search?where=Chester&need=money")
        children = filter_counts(broad, "need")
        assert children["debt-advice"] < count_in(h1(broad))
        narrow = get(client, "/search?where=Chester&need=money&need=debt-advice")
        assert count_in(h1(narrow)) == children["debt-advice"]
        assert "Debt advice" in h1(narrow) and "Money" not in h1(narrow)

    @pytest.mark.parametrize(
        ("name", "value", "param"),
        [
            ("free", "yes", "free=yes"),
            ("mode", "phone", "mode=phone"),
            ("age", "older_people", "age=older_people"),
        ],
    )
    def test_other_filters_give_the_counts_they_promise(self, client, name, value, param):
        html = get(client, "/search?q=advice")
        promised = filter_counts(html, name)[value]
        assert count_in(h1(get(client, f"/search?q=advice&{param}"))) == promised

    def test_filters_in_use_can_each_be_removed(self, client):
        html = get(client, "/search?q=advice&free=yes&mode=phone")
        text = text_of(html)
        assert "Filters in use" in text
        remove = re.findall(r'<li>Free: <a class="govuk-link" href="([^"]+)"', html)
        assert remove and parse_qs(urlsplit(unescape(remove[0])).query) == {
            "q": ["advice"],
            "mode": ["phone"],
        }

    def test_sorting_by_distance_puts_the_nearest_first(self, client):
        html = get(client, "/search?where=CH1+2HJ&sort=distance")
        shown = re.findall(r"<strong>(Less than 0.1|[\d.]+) miles? away</strong>", html)
        miles = [0.0 if m.startswith("Less") else float(m) for m in shown]
        assert len(miles) >= 10 and miles == sorted(miles)
        assert "<strong>Nearest first</strong>" in html

    def test_pages_of_results(self, client):
        first = get(client, "/search?where=CH1+2HJ")
        total = count_in(h1(first))
        assert total > 40
        second = get(client, "/search?where=CH1+2HJ&page=2")
        assert set(result_links(first)).isdisjoint(result_links(second))
        assert len(result_links(first)) == 20
        assert 'class="govuk-pagination"' in first and "page=2" in first
        assert "Showing 21 to 40 of" in text_of(second)
        last = get(client, "/search?where=CH1+2HJ&page=500")
        assert result_links(last)

    def test_did_you_mean(self, client):
        html = get(client, "/search?q=counsellling")
        assert re.search(
            r'Did you mean <a class="govuk-link" href="/search\?q=counselling">counselling</a>',
            html,
        )

    def test_a_misspelt_place_offers_the_place_meant(self, client):
        html = get(client, "/search?q=food&where=Chestr")
        assert "We could not find a place called &#39;Chestr&#39;" in html or (
            "We could not find a place called 'Chestr'" in text_of(html)
        )
        assert 'href="/search?q=food&amp;where=Chester"' in html

    def test_places_with_the_same_name_are_offered_by_name_and_council(self, client):
        html = get(client, "/search?q=food&where=Newport")
        assert "More than one place is called Newport" in text_of(html)
        assert 'href="/search?q=food&amp;where=Newport%2C+Pembrokeshire"' in html
        chosen = text_of(get(client, "/search?q=food&where=Newport%2C+Pembrokeshire"))
        assert "More than one place is called" not in chosen
        assert "We could not find" not in chosen

    def test_an_unknown_postcode_gives_a_message_and_results_from_everywhere(self, client):
        html = get(client, "/search?q=food&where=ZZ99+9ZZ")
        assert "We could not find" in text_of(html)
        assert count_in(h1(html)) == count_in(h1(get(client, "/search?q=food")))

    def test_the_map_is_offered_only_as_an_enhancement(self, client):
        html = get(client, "/search?q=lonely&where=CH1+2HJ")
        assert "data-app-map-toggle" not in html
        points = re.search(r'data-points="([^"]+)"', html).group(1)
        assert '"lat": 53.' in unescape(points) and "/services/" in unescape(points)
        assert "search_map." in html


class TestZeroResults:
    def test_nothing_found_near_a_place_offers_ways_forward(self, client):
        html = get(client, "/search?q=zzzzqq&need=money&where=CH65+0AA")
        text = text_of(html)
        assert h1(html) == "No results for \u2018zzzzqq\u2019 near CH65 0AA"
        assert "within 10 miles" in text and "radius=10" in html
        assert "Search again without filters" in text
        assert "Answer 3 short questions" in text
        assert "Help by phone or online that covers CH65 0AA" in text
        remote = html.split('id="remote-heading"', 1)[1].split("</ol>", 1)[0]
        assert "Covers your area" in remote and "miles away" not in remote
        assert "Your nearest is: Ellesmere Port Let&#39;s Talk Zone" in html or (
            "Your nearest is: Ellesmere Port Let's Talk Zone" in text
        )

    def test_the_nearest_lets_talk_site_is_measured_from_each_search_without_rereading_them(
        self, client
    ):
        """The sites are copied out once a minute (home_page.nearest_place); each page still
        measures from its own place, and shows the site's address."""
        from sqlalchemy import event

        engine = client.application.extensions["database"].engine
        statements: list[str] = []

        def seen(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        client.application.extensions.pop("nearest_place_snapshots", None)
        event.listen(engine, "before_cursor_execute", seen)
        try:
            port = text_of(get(client, "/search?q=zzzzqx&need=money&where=CH65+0AA"))
            read_first = sum("FROM location" in s for s in statements)
            statements.clear()
            chester = text_of(get(client, "/search?q=zzzzqx&need=money&where=CH1+2HJ"))
            read_again = sum("FROM location" in s for s in statements)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert read_first >= 1 and read_again == 0
        assert "Your nearest is: Ellesmere Port Let's Talk Zone" in port
        nearest = chester.split("Your nearest is:", 1)[1][:80]
        assert "Ellesmere Port" not in nearest and "Let's Talk" in nearest

    def test_wider_radius_links_find_more(self, client):
        near = count_in(h1(get(client, "/search?q=dementia&where=CH65+0AA")))
        wide = count_in(h1(get(client, "/search?q=dementia&where=CH65+0AA&radius=40")))
        assert wide > near


def test_a_broken_index_gives_a_helpful_page(tmp_path):
    (tmp_path / "index").write_text("not a search index")
    app = make_app(seeded_site().database_url, str(tmp_path / "index"))
    response = app.test_client().get("/search?q=food")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert h1(html) == "Sorry, search is not working at the moment"
    assert 'href="/hubs"' in html and 'href="tel:999"' in html
    app.extensions["database"].engine.dispose()


def _services_for(*codes: str) -> frozenset[str]:
    """Names of active seed listings tagged with any of these need codes."""
    seeds = Path(__file__).resolve().parents[2] / "seeds" / "listings"
    return frozenset(
        service["name"]
        for name in ("brief.json", "demo.json")
        for service in json.loads((seeds / name).read_text(encoding="utf-8"))
        if service.get("x_listing_status", "active") == "active"
        and {a["taxonomy_term"].get("term") for a in service.get("attributes", [])} & set(codes)
    )


CRISIS_SERVICES = _services_for("crisis-support", "someone-to-talk-to")


class TestUrgentHelp:
    @pytest.mark.parametrize(
        "url",
        [
            "/search?q=I+feel+like+ending+it+all",
            "/search?q=I+want+to+end+it+all",
            "/search?q=thinking+about+killing+myself",
            "/search?q=I+can%27t+go+on+like+this",
            "/search?q=everyone+would+be+better+off+without+me",
            "/search?q=I+feel+like+giving+up+on+life",
            "/search?q=suicidal",
            "/search?need=crisis-support",
            "/search?q=my+partner+hits+me",
            "/search?need=domestic-abuse&where=Chester",
            "/search?urgent=yes&need=money",
        ],
    )
    def test_emergency_numbers_come_first(self, client, url):
        html = get(client, url)
        main = html.split('id="main-content"', 1)[1]
        first = main.index("If you are in danger now, call 999")
        assert first < main.index("<h1")
        for number, tel in (("999", "tel:999"), ("111", "tel:111"), ("116 123", "tel:116123"),
                            ("0808 2000 247", "tel:08082000247")):  # fmt: skip
            assert f'href="{tel}">{number}</a>' in main
        assert "option 2" in main

    @pytest.mark.parametrize(
        "text",
        ["I want to end it all", "thinking about killing myself", "I can't go on like this"],
    )
    def test_crisis_sentences_find_crisis_support_first(self, client, text):
        """The emergency numbers alone are not enough: the crisis café and listening lines
        must be the first results, never "No results"."""
        html = get(client, "/search?" + urlencode({"q": text}))
        assert "No results" not in h1(html)
        first = re.search(r'class="govuk-link[^"]*" href="/services/[^"]+">([^<]+)</a>', html)
        assert first is not None
        assert first.group(1) in CRISIS_SERVICES, first.group(1)

    @pytest.mark.parametrize(
        "url", ["/search?q=domestic+violence", "/search?need=domestic-abuse", "/search?q=refuge"]
    )
    def test_domestic_abuse_searches_offer_a_quick_exit(self, client, url):
        html = get(client, url)
        assert "govuk-exit-this-page" in html
        assert 'href="/cover-your-tracks"' in html

    @pytest.mark.parametrize(
        "url", ["/search?q=food", "/search?need=money", "/search?q=lunch+club"]
    )
    def test_ordinary_searches_do_not(self, client, url):
        html = get(client, url)
        assert "govuk-exit-this-page" not in html
        assert "If you are in danger now" not in html


class TestBadInput:
    @pytest.mark.parametrize("value", HOSTILE)
    def test_hostile_text_gives_a_normal_page(self, client, value):
        for name in ("q", "where"):
            html = get(client, f"/search?{name}={quote(value, safe='')}")
            h1(html)
            assert "<script>alert" not in html

    def test_a_very_long_search_is_shortened_and_says_so(self, client):
        html = get(client, "/search?q=" + "food+" * 3000)
        assert "very long" in text_of(html)
        value = re.search(r'id="q" name="q" type="text"[^>]* value="([^"]*)"', html).group(1)
        assert len(value) <= 200

    @pytest.mark.parametrize(
        "query",
        [
            "page=-1", "page=99999999999999999999", "page=abc", "radius=1e308", "radius=-5",
            "radius=nan", "age=999", "age=-1", "day=funday", "sort=random", "need=../../etc",
            "need=" + "a" * 500, "mode=teleport", "area=E06000050'--", "free=maybe",
            "q=%FF%FE", "where=%ED%A0%80", "q[]=x", "day=%C2%B2", "page=%D9%A3",
            "need=" + "&need=".join(["money"] * 500),
        ],
    )  # fmt: skip
    def test_nonsense_parameters_are_ignored(self, client, query):
        h1(get(client, "/search?" + query))

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        pairs=st.lists(
            st.tuples(
                st.one_of(st.sampled_from(NAMES), st.text(max_size=8)),
                st.one_of(st.text(max_size=300), st.binary(max_size=60)),
            ),
            max_size=8,
        )
    )
    def test_any_query_string_gives_a_page(self, client, pairs):
        parts = []
        for name, value in pairs:
            raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
            parts.append(quote(name.encode("utf-8", "surrogatepass")) + "=" + quote(raw))
        response = client.get("/search?" + "&".join(parts))
        assert response.status_code == 200
        h1(response.get_data(as_text=True))
