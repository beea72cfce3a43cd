"""My list: services a person keeps for themselves, or a link worker gathers for the person in
front of them, with a handover sheet (print, PDF, Easy Read, email, share link).

The list lives in the signed session cookie: no account, nothing about the person on the
server. Settings (each may also come from the environment variable of the same name):

* ``MYLIST_MAX_ITEMS`` (default 30): the most services a list holds.
* ``SHARED_LIST_DAYS`` (default 28): how long a share link works.
* ``MAIL_SERVER``, ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (off), ``MAIL_USERNAME``,
  ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``: where handover emails are sent from; without
  ``MAIL_SERVER`` the email page says email is not available.
* ``MYLIST_EMAIL_RATELIMIT`` (default "5 per 10 minutes;20 per day"): emails sent per client
  address, on top of the site's form limit.
* ``PDF_FONT_REGULAR`` / ``PDF_FONT_BOLD``: TrueType fonts for the PDFs (default: DejaVu Sans
  or Liberation Sans where installed, else the PDF core font Helvetica).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "MYLIST_MAX_ITEMS": 30,
    "SHARED_LIST_DAYS": 28,
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "",
    "MAIL_TIMEOUT": 10,
    "MYLIST_EMAIL_RATELIMIT": "5 per 10 minutes;20 per day",
    "PDF_FONT_REGULAR": None,
    "PDF_FONT_BOLD": None,
}


def apply_settings(app: Flask) -> None:
    """Fill in any setting the app was not given, from the environment or the default."""
    for key, default in DEFAULTS.items():
        if key in app.config:
            continue
        raw = os.environ.get(key)
        if raw is None:
            app.config[key] = default
        elif isinstance(default, bool):
            app.config[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            app.config[key] = int(raw)
        else:
            app.config[key] = raw
