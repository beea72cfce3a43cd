"""An organisation's view of a problem report staff passed to it, at /manage/reports/<id>.

Members of the organisation read the report (never the reporter's email address, which stays
with staff) and mark it dealt with. Anyone else gets 404, as if the report did not exist:
organisation A cannot learn that B has reports, let alone read them. Staff may look too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.models import Membership
from directory.accounts.policy import can_manage_organization, is_moderator, member_required
from directory.core.actor import Actor
from directory.core.uow import unit_of_work
from directory.db import db
from directory.feedback import workflow
from directory.feedback.forms import DealtWithForm
from directory.feedback.links import link_context
from directory.feedback.models import ProblemReport, ReportState

bp = Blueprint("org_reports", __name__, url_prefix="/manage/reports")


def _report_for_member(report_id: str) -> ProblemReport:
    report = db.session.get(ProblemReport, report_id)
    if (
        report is None
        or report.organization_id is None
        or not can_manage_organization(current_user, report.organization_id)
    ):
        abort(404)
    return report


@bp.route("/<report_id>", methods=["GET", "POST"])
@member_required
def view(report_id: str) -> str | BaseResponse:
    report = _report_for_member(report_id)
    form = DealtWithForm()
    if form.validate_on_submit():
        try:
            with unit_of_work(db.session, Actor.user(current_user.id)):
                workflow.mark_dealt_with(db.session, report, current_user.id, form.resolution.data)
        except workflow.ReportActionError as exc:
            flash(str(exc), "error")
        else:
            flash("Thank you. The report is marked as dealt with.", "success")
        return redirect(url_for(".view", report_id=report.id), 303)
    resolved_by_us = bool(report.resolved_by) and _is_member(report)
    return render_template(
        "feedback/org_report.html",
        report=report,
        form=form,
        open=report.state == ReportState.PASSED,
        resolved_by_us=resolved_by_us,
        is_staff=is_moderator(current_user),
        page_error=bool(form.errors),
        **link_context(),
    )


def _is_member(report: ProblemReport) -> bool:
    """Whether the person who resolved the report belongs to the report's organisation (else
    it was the directory's staff)."""
    found = db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == report.resolved_by,
            Membership.organization_id == report.organization_id,
        )
    )
    return found is not None
