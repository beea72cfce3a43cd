"""WSGI entry point: ``gunicorn wsgi:app`` in production, ``flask --app wsgi`` for the CLI.

A bulk command (``flask --app wsgi reindex``, ``import-hsds``) lowers its CPU priority before
the app is made, not only when the command starts (``directory.priority``)."""

import sys

from directory import create_app
from directory.priority import lower_priority_before_the_app

lower_priority_before_the_app(sys.argv)
app = create_app()
