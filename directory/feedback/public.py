"""The public side of problem reports: the form's rate limit and what a submission does.

* ``RATELIMIT_REPORTS`` (default "5 per minute;30 per hour", per client address) limits
  sending the form, so nobody can flood staff with reports; reading it is not limited here.
* A filled-in honeypot field means a bot: it is shown the usual thank-you page and nothing is
  saved, so it learns nothing to adapt to.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.feedback.forms import PublicReportForm
from directory.feedback.models import ProblemReport
from directory.feedback.services import record_problem
from directory.listings.models import Service
from directory.ops.ratelimits import route_limit

DEFAULT_REPORT_LIMIT = "5 per minute;30 per hour"

#: Who wrote a report, in the change log: a member of the public, unnamed.
PUBLIC_FORM = Actor("public", "report-form")


def report_limit() -> str:
    """The rate limit for sending the form, read per request so tests and deployments can set
    ``RATELIMIT_REPORTS`` (or the route's entry in ``RATELIMIT_ROUTES``)."""
    return route_limit("RATELIMIT_REPORTS", DEFAULT_REPORT_LIMIT)


def submit_report(
    session: Session, service: Service, form: PublicReportForm
) -> ProblemReport | None:
    """Save a validated report in its own unit of work (the resident has been told it was sent
    and must not lose what they wrote); a bot's report (honeypot filled) is dropped."""
    if form.is_bot:
        return None
    with unit_of_work(session, PUBLIC_FORM):
        return record_problem(session, service, form.problem.data, form.email.data)
