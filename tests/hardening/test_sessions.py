"""Forged, validly signed cookies (issue 14, scope 9): a cookie whose ``_flashes`` was not a
list, or whose values held lone surrogates, crashed ten pages with a 500. Whoever holds the key
can sign anything, so the session reader (directory.core.sessions) must survive anything.

And the secret key file and the SQLite database were created world-readable (0644): both are
created 0600 now.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from directory.config import Settings, secret_key
from directory.core.sessions import SESSION_KEYS, SafeSessionInterface, acceptable
from directory.db import make_engine
from tests.security.conftest import World, parameter_values, rules, urls

#: Strings as an attacker would write them: lone surrogates, NULs, markup, very long text.
nasty_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\x1b[31m", "<script>", "x" * 5000, ""]),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), nasty_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(nasty_text, inner, max_size=4),
    ),
    max_leaves=12,
)
session_dicts = st.dictionaries(
    st.one_of(st.sampled_from(sorted(SESSION_KEYS)), nasty_text), json_values, max_size=6
)
#: Raw JSON texts no TaggedJSON encoder would write: tags with the wrong payloads.
raw_payloads = st.sampled_from(
    [
        '{" t":5}',
        '{"_flashes":{" t":"x"}}',
        '{" u":"not-a-uuid"}',
        '{" d":"not a date"}',
        '{" b":"!!!"}',
        '{" m":7}',
        "[1,2,3]",
        '"a string"',
        "null",
        "{",
        '{"_user_id":{" di":[]}}',
    ]
)


def _pages(world: World) -> list[str]:
    """Every public page a visitor can GET, with organisation A's ids in it."""
    values = parameter_values(world)
    found = []
    for rule in rules(world.app, public=True):
        skipped = rule.endpoint in {"static", "assets"} or rule.endpoint.startswith("ops.")
        if "GET" in (rule.methods or ()) and not skipped:
            found.extend(url for url in urls(rule, values) if not url.endswith(".pdf"))
    return found


def _forge(app: Flask, data: Any) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer is not None
    with app.app_context():
        return serializer.dumps(data)


def _forge_raw(app: Flask, payload: str) -> str:
    interface = app.session_interface

    class Raw:
        @staticmethod
        def dumps(value: Any) -> str:
            return value if isinstance(value, str) else json.dumps(value)

        @staticmethod
        def loads(value: str) -> str:
            return value

    signer = URLSafeTimedSerializer(
        app.secret_key,
        salt=interface.salt,  # type: ignore[attr-defined]
        serializer=Raw,
        signer_kwargs={
            "key_derivation": interface.key_derivation,  # type: ignore[attr-defined]
            "digest_method": staticmethod(hashlib.sha1),
        },
    )
    return signer.dumps(payload)


HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_forged_sessions_never_crash_a_public_page(world: World):
    app = world.app
    assert isinstance(app.session_interface, SafeSessionInterface)
    pages = _pages(world)
    assert len(pages) > 20
    signed_in = {"_user_id": world.ids["owner_a"], "_fresh": True}

    @HYPOTHESIS
    @given(session_dicts, st.booleans())
    def visit(data: dict, with_user: bool):
        cookie = _forge(app, {**signed_in, **data} if with_user else data)
        client = app.test_client()
        client.set_cookie("session", cookie)
        for page in pages:
            status = client.get(page).status_code
            assert status < 500, (page, status, data)

    visit()


def test_signed_cookies_that_do_not_decode_are_an_empty_session(world: World):
    pages = _pages(world)

    @HYPOTHESIS
    @given(raw_payloads)
    def visit(payload: str):
        client = world.app.test_client()
        client.set_cookie("session", _forge_raw(world.app, payload))
        for page in pages[:15]:
            response = client.get(page)
            assert response.status_code < 500, (page, payload)

    visit()


def test_the_known_crashes_of_issue_14(world: World):
    client = world.app.test_client()
    good = [[world.ids["svc_b"], "Hillside Carers Cafe", "Ask for Sam"]]
    client.set_cookie("session", _forge(world.app, {"mylist": good}))
    assert "Ask for Sam" in client.get("/my-list").get_data(as_text=True)  # forging works
    for data in (
        {"_flashes": "not a list"},
        {"_flashes": [["message", "x", "y"]]},
        {"_flashes": [[1, 2]]},
        {"mylist": [[world.ids["svc_b"], "Caf\ud800", "note"]]},
        {"sign_in_next": "/manage/\udfff"},
        {"_user_id": "abc\x00def"},
    ):
        client.set_cookie("session", _forge(world.app, data))
        for page in ("/", "/my-list", "/account/sign-in", f"/services/{world.ids['svc_b']}"):
            response = client.get(page, follow_redirects=True)
            assert response.status_code == 200, (data, page, response.status_code)
        # The bad value is dropped from the cookie, not carried forward.
        with client.session_transaction() as session:
            for key, value in data.items():
                assert session.get(key) != value


def test_good_values_are_kept():
    assert acceptable("_flashes", [["message", "Saved"]])
    assert acceptable("mylist", [["id", "Café ☕", "Take ID\nand a coat"]])
    assert acceptable("something_new", {"a": [1, 2.5, None, True]})
    assert not acceptable("_flashes", "Saved")
    assert not acceptable("_fresh", "yes")
    assert not acceptable("anything", "\ud83d")
    assert not acceptable("anything", {"k": b"bytes"})


# Files made 0600 -------------------------------------------------------------------------------


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Any) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_secret_key_file_is_created_0600(tmp_path, loose_umask):
    settings = Settings.from_environ({"INSTANCE_DIR": str(tmp_path)})
    key = secret_key(settings)
    path = tmp_path / "secret_key"
    assert _mode(path) == 0o600
    assert secret_key(settings) == key  # kept across starts
    path.chmod(0o644)  # an older install's key is tightened, and kept
    assert secret_key(settings) == key
    assert _mode(path) == 0o600


def test_the_sqlite_database_is_created_0600(tmp_path, loose_umask):
    from sqlalchemy import text

    path = tmp_path / "new.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    assert _mode(path) == 0o600
    for extra in ("new.sqlite-wal", "new.sqlite-shm"):  # SQLite gives them the file's mode
        if (tmp_path / extra).exists():
            assert _mode(tmp_path / extra) & 0o077 == 0, extra


def test_an_existing_database_keeps_its_mode(tmp_path, loose_umask):
    path = tmp_path / "old.sqlite"
    path.touch(mode=0o640)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o640


def test_migrating_a_new_database_creates_it_0600(tmp_path, loose_umask):
    from directory import migrate

    path = tmp_path / "migrated.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    assert _mode(path) == 0o600
