"""The "When it runs" page: the sessions added so far, each with Change and Remove, and a
page to add or change one session. Each save keeps the draft, as on every other step."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.policy import member_required
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.manage import forms, services, session_forms, wizard
from directory.manage.sessions import MAX_SESSIONS, describe_session
from directory.manage.steps import after, back_url, caption, editable, from_check
from directory.manage.views import actor, bp, manage_limit
from directory.moderation.models import Proposal


def when(proposal: Proposal) -> str | BaseResponse:
    """The sessions added so far (each with Change and Remove) and the notes."""
    state = proposal.form_state or {}
    saved = wizard.answers(state, "when")
    sessions = [s for s in saved.get("sessions") or [] if isinstance(s, dict)]
    form = (
        session_forms.WhenForm(data=saved) if request.method == "GET" else session_forms.WhenForm()
    )
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            services.save_step(
                db.session, proposal, "when", {"sessions": sessions, "notes": form.notes.data or ""}
            )
        return after(proposal, "when")
    return render_template(
        "manage/steps/when.html",
        form=form,
        proposal=proposal,
        step=wizard.BY_SLUG["when"],
        back=back_url(proposal, "when"),
        sessions=[describe_session(s) for s in sessions],
        can_add=len(sessions) < MAX_SESSIONS,
        remove_form=forms.ButtonForm(),
        from_check=from_check(),
        caption=caption(proposal),
    )


@bp.route("/proposals/<proposal_id>/sessions/<int:index>", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def session_page(proposal_id: str, index: int) -> str | BaseResponse:
    """Add a session (``index`` one past the last) or change one."""
    proposal = editable(proposal_id)
    saved = wizard.answers(proposal.form_state or {}, "when")
    sessions = [s for s in saved.get("sessions") or [] if isinstance(s, dict)]
    if index > len(sessions) or index >= MAX_SESSIONS:
        abort(404)
    current = sessions[index] if index < len(sessions) else {}
    form_class = session_forms.SessionForm
    form = (
        form_class(data=form_class.data_for(current)) if request.method == "GET" else form_class()
    )
    if form.validate_on_submit():
        updated = list(sessions)
        if index < len(updated):
            updated[index] = form.values()
        else:
            updated.append(form.values())
        with unit_of_work(db.session, actor()):
            services.save_step(
                db.session,
                proposal,
                "when",
                {**saved, "sessions": updated, "notes": saved.get("notes") or ""},
            )
        return redirect(
            url_for(
                ".step",
                proposal_id=proposal.id,
                slug="when",
                **({"from": "check"} if from_check() else {}),
            ),
            303,
        )
    return render_template(
        "manage/steps/session.html",
        form=form,
        proposal=proposal,
        index=index,
        adding=index == len(sessions),
        back=url_for(".step", proposal_id=proposal.id, slug="when"),
        caption=caption(proposal),
    )


@bp.post("/proposals/<proposal_id>/sessions/<int:index>/remove")
@member_required
@limiter.limit(manage_limit)
def remove_session(proposal_id: str, index: int) -> BaseResponse:
    proposal = editable(proposal_id)
    form = forms.ButtonForm()
    saved = wizard.answers(proposal.form_state or {}, "when")
    sessions = [s for s in saved.get("sessions") or [] if isinstance(s, dict)]
    if form.validate_on_submit() and 0 <= index < len(sessions):
        del sessions[index]
        with unit_of_work(db.session, actor()):
            services.save_step(
                db.session,
                proposal,
                "when",
                {**saved, "sessions": sessions, "notes": saved.get("notes") or ""},
            )
    return redirect(url_for(".step", proposal_id=proposal.id, slug="when"), 303)
