"""Problem reports for staff at /staff/reports: the list (by state, longest waiting first) and
each report's page, where staff resolve it, reply, or pass it to the organisation.

Thin views: the rules live in :mod:`directory.feedback.workflow`; each action is one unit of
work written by the signed-in member of staff, with a ``StaffAction`` row.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.models import User
from directory.accounts.policy import staff_required, user_label
from directory.core.actor import Actor
from directory.core.mail import MailFailed
from directory.core.uow import unit_of_work
from directory.core.urls import external_url
from directory.db import db
from directory.extensions import limiter
from directory.feedback import workflow
from directory.feedback.forms import PassForm, ReplyForm, ResolveForm
from directory.feedback.links import link_context
from directory.feedback.models import ProblemReport, ReportState
from directory.feedback.services import REPORT_TEXT_DAYS
from directory.staff.limits import staff_limit

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")


@bp.app_template_global()
def report_reply_days() -> int:
    """The privacy notice's "we delete it after N days" (``REPORT_REPLY_DAYS``)."""
    return workflow.reply_days(current_app.config)


@bp.app_template_global()
def report_text_days() -> int:
    """The privacy notice's "we delete what you wrote N days after" (``REPORT_TEXT_DAYS``,
    the same number ``reports purge`` uses)."""
    return int(current_app.config.get("REPORT_TEXT_DAYS") or REPORT_TEXT_DAYS)


PER_PAGE = 50
STATE_LABELS = {
    ReportState.OPEN: "Open",
    ReportState.PASSED: "Passed to the organisation",
    ReportState.RESOLVED: "Resolved",
}
MAIL_FAILED = "The email could not be sent, so nothing was changed. Try again later."


@bp.get("/")
@bp.get("", strict_slashes=False)
@staff_required()
def index() -> str:
    try:
        state = ReportState(request.args.get("state", ReportState.OPEN))
    except ValueError:
        state = ReportState.OPEN
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    counts = workflow.state_counts(db.session)
    reports = workflow.reports_in_state(db.session, state, page=page, per_page=PER_PAGE)
    return render_template(
        "feedback/staff_list.html",
        state=state,
        states=STATE_LABELS,
        counts=counts,
        reports=reports,
        page=page,
        has_next=counts[state] > page * PER_PAGE,
        **link_context(),
    )


def _report_or_404(report_id: str) -> ProblemReport:
    report = db.session.get(ProblemReport, report_id)
    if report is None:
        abort(404)
    return report


def _page(report: ProblemReport, **forms: object) -> str:
    resolver = db.session.get(User, report.resolved_by) if report.resolved_by else None
    forms.setdefault("resolve_form", ResolveForm(prefix="resolve"))
    forms.setdefault("reply_form", ReplyForm(prefix="reply"))
    forms.setdefault("pass_form", PassForm(prefix="pass"))
    members = (
        workflow.organisation_members(db.session, report.service.organization_id)
        if report.service.organization_id
        else []
    )
    return render_template(
        "feedback/staff_report.html",
        report=report,
        states=STATE_LABELS,
        resolver=user_label(resolver) if report.resolved_by else None,
        can_reply=workflow.can_reply(report),
        member_count=len(members),
        reply_days=workflow.reply_days(current_app.config),
        page_error=any(getattr(form, "errors", None) for form in forms.values()),
        **forms,
        **link_context(),
    )


@bp.get("/<report_id>")
@staff_required()
def view(report_id: str) -> str:
    return _page(_report_or_404(report_id))


def _done(report: ProblemReport, message: str) -> BaseResponse:
    flash(message, "success")
    return redirect(url_for(".view", report_id=report.id), 303)


def _refused(report: ProblemReport, exc: Exception) -> BaseResponse:
    flash(str(exc), "error")
    return redirect(url_for(".view", report_id=report.id), 303)


@bp.post("/<report_id>/resolve")
@limiter.limit(staff_limit)
@staff_required()
def resolve(report_id: str) -> str | BaseResponse:
    report = _report_or_404(report_id)
    form = ResolveForm(prefix="resolve")
    if not form.validate_on_submit():
        return _page(report, resolve_form=form)
    reply = form.reply.data or None
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            workflow.resolve(db.session, report, current_user.id, form.resolution.data, reply)
    except (workflow.ReportActionError, MailFailed) as exc:
        return _refused(report, MAIL_FAILED if isinstance(exc, MailFailed) else exc)
    return _done(report, "Report resolved. A reply was emailed." if reply else "Report resolved.")


@bp.post("/<report_id>/reply")
@limiter.limit(staff_limit)
@staff_required()
def reply(report_id: str) -> str | BaseResponse:
    report = _report_or_404(report_id)
    form = ReplyForm(prefix="reply")
    if not form.validate_on_submit():
        return _page(report, reply_form=form)
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            workflow.send_reply(db.session, report, current_user.id, form.reply.data)
    except (workflow.ReportActionError, MailFailed) as exc:
        return _refused(report, MAIL_FAILED if isinstance(exc, MailFailed) else exc)
    return _done(report, "Reply sent.")


@bp.post("/<report_id>/pass")
@limiter.limit(staff_limit)
@staff_required()
def pass_on(report_id: str) -> str | BaseResponse:
    report = _report_or_404(report_id)
    form = PassForm(prefix="pass")
    if not form.validate_on_submit():
        abort(400)
    link = external_url("org_reports.view", report_id=report.id)
    try:
        with unit_of_work(db.session, Actor.user(current_user.id)):
            count = workflow.pass_to_organisation(db.session, report, current_user.id, link)
    except (workflow.ReportActionError, MailFailed) as exc:
        return _refused(report, MAIL_FAILED if isinstance(exc, MailFailed) else exc)
    people = "person" if count == 1 else "people"
    return _done(report, f"Report passed to the organisation. We emailed {count} {people}.")
