"""The rate limit on staff form posts.

The site's default form limit (``RATELIMIT_FORMS``, a few posts a minute) suits the public; a
moderator working through the inferred-needs queue clicks a button every few seconds. Staff
posts are still limited, per client address, by ``RATELIMIT_STAFF``.
"""

from __future__ import annotations

from directory.ops.ratelimits import route_limit

DEFAULT = "120 per minute;2000 per hour"


def staff_limit() -> str:
    """``RATELIMIT_STAFF``, or the route's own entry in ``RATELIMIT_ROUTES``."""
    return route_limit("RATELIMIT_STAFF", DEFAULT)
