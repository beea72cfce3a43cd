"""Files only the site's own user may read: the secret key and the SQLite database.

Why: created with the process's default umask (usually 022) they were world-readable (0644),
so any other account on the machine could read the key that signs sessions and links, or copy
the database with its people's addresses. :func:`create_private_file` creates a file 0600
whatever the umask; an existing file is left as it is (an operator may have chosen its mode),
except the secret key, which :func:`directory.config.secret_key` tightens.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private_file(path: str | os.PathLike[str], content: bytes = b"") -> bool:
    """Create ``path`` with mode 0600 and ``content``; False (and nothing written) when it
    exists already. The mode is set at creation, so the file is never readable by others,
    not even for a moment."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE_MODE)  # in case the umask took bits away we want
        if content:
            os.write(descriptor, content)
    finally:
        os.close(descriptor)
    return True


def make_private(path: str | os.PathLike[str]) -> None:
    """Take group and other permissions away from an existing file of ours."""
    mode = Path(path).stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL; None for memory databases and other engines."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_private_sqlite(url: str) -> None:
    """Create the SQLite database file 0600 before SQLite creates it 0644 (its journal and
    WAL files take the database file's mode). A missing folder is left for SQLite to report."""
    path = sqlite_path(url)
    if path is not None and path.parent.is_dir() and not path.exists():
        create_private_file(path)
