"""The ``mylist`` blueprint with all its pages: register :data:`bp` to add My list to a site."""

from __future__ import annotations

from directory.mylist import handover_views, list_views, share_views
from directory.mylist.blueprint import bp

#: The modules whose routes make up the blueprint (imported for their side effect).
ROUTES = (list_views, handover_views, share_views)

__all__ = ["ROUTES", "bp"]
