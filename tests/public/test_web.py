"""App-wide web behaviour: security headers, error pages, CSRF, rate limits and assets."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from directory import create_app
from directory.public.assets import DIST_DIR
from directory.web import content_security_policy
from tests.public.conftest import PublicData


@pytest.fixture
def make_app(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator:
    """Build an app on a fresh database with extra settings (CSRF on, low limits...)."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        db_path = tmp_path / f"{uuid.uuid4().hex}.sqlite"
        shutil.copy(migrated_sqlite_template, db_path)
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "WTF_CSRF_ENABLED": False,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["database"].engine.dispose()


class TestSecurityHeaders:
    def test_headers_on_pages(self, client):
        response = client.get("/")
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert "img-src 'self' data: https://tile.openstreetmap.org" in csp

    def test_inline_script_carries_this_responses_nonce(self, client):
        first, second = client.get("/"), client.get("/")
        nonces = []
        for response in (first, second):
            nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
            html = response.data.decode()
            assert f'<script nonce="{nonce}">document.body.className' in html
            assert '<body class="govuk-template__body' in html
            nonces.append(nonce)
        assert nonces[0] != nonces[1]

    def test_every_script_is_external_or_nonced(self, client, data: PublicData):
        response = client.get(f"/services/{data.demo.id}", follow_redirects=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        for tag in re.findall(r"<script[^>]*>", response.data.decode()):
            assert "src=" in tag or f'nonce="{nonce}"' in tag, tag

    def test_hsts_when_cookies_are_secure(self, make_app):
        app = make_app(SESSION_COOKIE_SECURE=True)
        response = app.test_client().get("/")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "upgrade-insecure-requests" in response.headers["Content-Security-Policy"]

    def test_maps_off_removes_the_tile_host(self, make_app, data):
        app = make_app(MAP_TILE_URL="")
        response = app.test_client().get("/")
        assert "tile.openstreetmap.org" not in response.headers["Content-Security-Policy"]

    def test_policy_with_subdomain_placeholder(self):
        policy = content_security_policy(
            "abc", tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png", secure=False
        )
        assert "img-src 'self' data: https://*.tiles.example.org;" in policy


class TestErrorPages:
    def test_404_page(self, client):
        response = client.get("/no-such-page")
        assert response.status_code == 404
        html = response.data.decode()
        assert "<title>Page not found - Find help in your community</title>" in html
        assert "If you typed the web address, check it is correct." in html

    def test_api_paths_keep_json_errors(self, client):
        response = client.get("/api/no-such-endpoint")
        assert response.status_code == 404
        assert response.is_json

    def test_method_not_allowed_is_a_page_with_allow_header(self, client):
        response = client.post("/hubs")
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert "there is a problem with your request" in response.data.decode().lower()

    def test_500_page_in_plain_english(self, make_app):
        app = make_app(PROPAGATE_EXCEPTIONS=False)

        @app.get("/broken-for-test")
        def broken() -> str:
            raise RuntimeError("database fell over")

        response = app.test_client().get("/broken-for-test")
        assert response.status_code == 500
        html = response.data.decode()
        assert "Sorry, there is a problem with the service" in html
        assert "database fell over" not in html

    def test_429_page_after_too_many_requests(self, make_app):
        app = make_app(RATELIMIT_PAGES="3 per minute")
        client = app.test_client()
        statuses = [client.get("/cookies").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = client.get("/cookies")
        assert "Sorry, there have been too many requests" in response.data.decode()
        assert int(response.headers["Retry-After"]) > 0
        assert client.get("/privacy").status_code == 200, "limits are counted per page"

    def test_behind_a_proxy_each_client_is_counted_apart(self, make_app):
        app = make_app(RATELIMIT_PAGES="1 per minute", TRUSTED_PROXY_COUNT=1)
        client = app.test_client()

        def get(address: str) -> int:
            return client.get("/cookies", headers={"X-Forwarded-For": address}).status_code

        assert [get("203.0.113.7"), get("198.51.100.23"), get("203.0.113.7")] == [200, 200, 429]

    def test_assets_are_not_rate_limited(self, make_app):
        app = make_app(RATELIMIT_PAGES="1 per minute")
        client = app.test_client()
        with app.test_request_context():
            css = app.jinja_env.globals["asset_url"]("app.css")
        assert all(client.get(css).status_code == 200 for _ in range(3))

    def test_redis_storage_shares_counts_between_apps(self, make_app):
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
        except redis.exceptions.ConnectionError:
            message = "Redis is not running on 127.0.0.1:6379"
            if os.environ.get("CI"):
                pytest.fail(message + " (required when CI is set)")
            pytest.skip(message)
        prefix = f"test-{uuid.uuid4().hex}"
        settings = {
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "RATELIMIT_PAGES": "2 per minute",
            "RATELIMIT_KEY_PREFIX": prefix,
        }
        first, second = make_app(**settings), make_app(**settings)
        assert first.test_client().get("/cookies").status_code == 200
        assert second.test_client().get("/cookies").status_code == 200
        assert first.test_client().get("/cookies").status_code == 429

    def test_pages_still_served_when_redis_is_down(self, make_app):
        app = make_app(REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_PAGES="2 per minute")
        client = app.test_client()
        assert [client.get("/cookies").status_code for _ in range(3)] == [200, 200, 429]


class TestCsrf:
    def test_post_without_token_is_refused_when_enabled(self, make_app):
        from tests.public.conftest import build_public_data

        app = make_app(WTF_CSRF_ENABLED=True)
        with app.app_context():
            from directory.db import db

            data = build_public_data(db.session)
            service_id = data.demo.id
        client = app.test_client()
        refused = client.post(f"/services/{service_id}/report", data={"problem": "Wrong number"})
        assert refused.status_code == 400
        assert "Your form has expired" in refused.data.decode()
        form = client.get(f"/services/{service_id}/report").data.decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', form)
        accepted = client.post(
            f"/services/{service_id}/report",
            data={"problem": "Wrong number", "csrf_token": token[1]},
        )
        assert accepted.status_code == 303


class TestAssets:
    def test_fingerprinted_css_with_long_cache(self, client):
        html = client.get("/").data.decode()
        href = re.search(r'<link rel="stylesheet" href="(/assets/app\.[0-9a-f]{12}\.css)"', html)
        assert href, "stylesheet is not fingerprinted: run `make assets`"
        response = client.get(href[1])
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
        assert b"GDS Transport" not in response.data

    def test_compressed_when_the_browser_accepts_it(self, client):
        html = client.get("/").data.decode()
        href = re.search(r'href="(/assets/app\.[0-9a-f]{12}\.css)"', html)[1]
        plain = client.get(href)
        brotli = client.get(href, headers={"Accept-Encoding": "gzip, br"})
        assert brotli.headers["Content-Encoding"] == "br"
        assert len(brotli.data) < len(plain.data) / 4
        assert "Accept-Encoding" in brotli.headers["Vary"]

    def test_module_script_imports_the_fingerprinted_frontend(self, client):
        html = client.get("/").data.decode()
        src = re.search(r'<script type="module" src="(/assets/app\.[0-9a-f]{12}\.js)"', html)[1]
        body = client.get(src).data.decode()
        imported = re.search(r'from "\./(govuk-frontend\.min\.[0-9a-f]{12}\.js)"', body)[1]
        assert client.get(f"/assets/{imported}").status_code == 200

    def test_unknown_or_source_files_are_not_served(self, client):
        assert client.get("/assets/manifest.json").status_code == 404
        assert client.get("/assets/app.css").status_code == 404
        assert client.get("/assets/../web.py").status_code == 404

    def test_build_output_exists(self):
        assert (DIST_DIR / "manifest.json").exists(), "run `make assets` before the tests"
