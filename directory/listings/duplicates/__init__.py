"""Duplicate listings: found, flagged and left for staff to decide, never silently merged.

The public functions, each taking a SQLAlchemy ``Session`` and never committing:

* :func:`flag_duplicates` checks services against each other and the whole directory and
  stores flags (the import hook calls it; :func:`report_lines` words them for the report);
* :func:`duplicate_groups` gives the search index one group key per real service;
* :func:`resolve` records staff's decision on a pair; :func:`open_flags` lists what is left.

The rules are in :mod:`.rules`, the normalisation in :mod:`.names` and :mod:`.contacts`, and
``docs/duplicates.md`` explains them for staff.
"""

from directory.listings.duplicates.groups import duplicate_groups, group_members
from directory.listings.duplicates.models import DuplicateFlag, FlagStatus, Strength
from directory.listings.duplicates.store import (
    DecisionError,
    flag_duplicates,
    open_flags,
    report_lines,
    resolve,
)

__all__ = [
    "DecisionError",
    "DuplicateFlag",
    "FlagStatus",
    "Strength",
    "duplicate_groups",
    "flag_duplicates",
    "group_members",
    "open_flags",
    "report_lines",
    "resolve",
]
