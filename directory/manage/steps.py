"""The wizard's pages: one question page per step, the place search, "Is this you?", and
check your answers (the sessions list is in :mod:`directory.manage.when_views`). Every POST
saves the draft (``form_state`` and ``payload``) in its own unit of work, so nothing typed is
lost if the person stops."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from directory.accounts.policy import member_required
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.manage import claims, forms, services, session_forms, summary, wizard
from directory.manage.payload_parts import area_choices
from directory.manage.places import get_place, search_places
from directory.manage.views import actor, bp, manage_limit, owned_proposal
from directory.manage.vocab import suggest_terms, term_choices
from directory.moderation.models import EDITABLE_STATES, Proposal, ProposalKind

FORMS: dict[str, type[forms.AnswersForm]] = {
    "organisation": forms.OrganisationForm,
    "service": forms.ServiceForm,
    "who": forms.WhoForm,
    "cost": forms.CostForm,
    "access": forms.AccessForm,
    "contact": forms.ContactForm,
    "where": forms.WhereForm,
    "place": forms.PlaceForm,
    "address": forms.AddressForm,
    "when": session_forms.WhenForm,
    "area": session_forms.AreaForm,
    "needs": session_forms.NeedsForm,
}


def editable(proposal_id: str) -> Proposal:
    proposal = owned_proposal(proposal_id)
    if proposal.state not in EDITABLE_STATES:
        abort(redirect(url_for(".proposal", proposal_id=proposal.id), 303))
    return proposal


def from_check() -> bool:
    return request.args.get("from") == "check"


def after(proposal: Proposal, slug: str) -> BaseResponse:
    if slug in wizard.MATCH_STEPS and _matches(proposal):
        return redirect(
            url_for(
                ".matches",
                proposal_id=proposal.id,
                after=slug,
                **({"from": "check"} if from_check() else {}),
            ),
            303,
        )
    return redirect(next_url(proposal, slug), 303)


def next_url(proposal: Proposal, slug: str) -> str:
    target = wizard.next_step(proposal.form_state or {}, slug, from_check=from_check())
    if target is None:
        return url_for(".check", proposal_id=proposal.id)
    return url_for(
        ".step",
        proposal_id=proposal.id,
        slug=target,
        **({"from": "check"} if from_check() else {}),
    )


def back_url(proposal: Proposal, slug: str) -> str:
    if from_check():
        return url_for(".check", proposal_id=proposal.id)
    order = [s.slug for s in wizard.applicable(proposal.form_state or {})]
    if slug in order and order.index(slug) > 0:
        return url_for(".step", proposal_id=proposal.id, slug=order[order.index(slug) - 1])
    return url_for(".dashboard")


def _choices(form: forms.AnswersForm, slug: str, proposal: Proposal) -> dict[str, Any]:
    """Fill the lists that come from the database; extra template values for the page."""
    extra: dict[str, Any] = {}
    if slug == "who":
        form.client_groups.choices = forms.options(term_choices(db.session).groups)  # type: ignore[attr-defined]
    elif slug == "area":
        form.areas.choices = forms.options(area_choices(db.session))  # type: ignore[attr-defined]
    elif slug == "needs":
        choices = term_choices(db.session)
        state = proposal.form_state or {}
        service, who = wizard.answers(state, "service"), wizard.answers(state, "who")
        suggested = suggest_terms(
            db.session,
            proposal.service_id,
            service.get("name") or "",
            service.get("description") or "",
            who.get("eligibility") or "",
        ).get("need", [])
        first = [c for c in choices.needs if c[0] in suggested]
        form.needs.choices = forms.options(
            first + [c for c in choices.needs if c[0] not in suggested]
        )  # type: ignore[attr-defined]
        extra["suggested"] = [label for _id, label in first]
        if not wizard.is_done(state, "needs") and request.method == "GET":
            form.needs.data = [c[0] for c in first]  # type: ignore[attr-defined]
    elif slug == "place":
        query = request.args.get("q", "")[:100]
        chosen = wizard.answers(proposal.form_state or {}, "place").get("location_id")
        options = search_places(db.session, query) if query else []
        current = get_place(db.session, chosen)
        if current is not None and current.id not in {o.id for o in options}:
            options.insert(0, current)
        if request.method == "POST":
            picked = get_place(db.session, (request.form.get("location_id") or "")[:64])
            if picked is not None and picked.id not in {o.id for o in options}:
                options.append(picked)
        form.location_id.choices = forms.options((o.id, f"{o.label} ({o.kind})") for o in options)  # type: ignore[attr-defined]
        extra.update(query=query, options=options)
    return extra


@bp.route("/proposals/<proposal_id>/<any(" + ",".join(FORMS) + "):slug>", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def step(proposal_id: str, slug: str) -> str | BaseResponse:
    proposal = editable(proposal_id)
    state = proposal.form_state or {}
    if not wizard.applies(state, slug):
        return redirect(next_url(proposal, slug), 303)
    if slug == "when":
        from directory.manage.when_views import when  # the sessions list has a page of its own

        return when(proposal)
    form_class = FORMS[slug]
    saved = wizard.answers(state, slug)
    if request.method == "GET" and not saved and slug == "contact":
        saved = _contact_defaults(state)
    form = form_class(data=saved) if request.method == "GET" else form_class()
    extra = _choices(form, slug, proposal)
    if form.validate_on_submit():
        if slug == "place" and get_place(db.session, form.location_id.data) is None:  # type: ignore[attr-defined]
            form.location_id.errors = ["Select the place, or search again"]  # type: ignore[attr-defined]
        else:
            with unit_of_work(db.session, actor()):
                services.save_step(db.session, proposal, slug, form.values())
            return after(proposal, slug)
    return render_template(
        f"manage/steps/{slug}.html",
        form=form,
        proposal=proposal,
        step=wizard.BY_SLUG[slug],
        back=back_url(proposal, slug),
        from_check=from_check(),
        caption=caption(proposal),
        **extra,
    )


def _contact_defaults(state: wizard.State) -> dict[str, Any]:
    org = wizard.answers(state, "organisation")
    return {"phone": org.get("phone") or "", "email": org.get("email") or ""}


def caption(proposal: Proposal) -> str:
    if proposal.kind == ProposalKind.EDIT:
        return f"Edit {services.listing_name(proposal)}"
    return "Register a listing"


def _details(state: wizard.State) -> claims.Details:
    org, service = wizard.answers(state, "organisation"), wizard.answers(state, "service")
    contact, address = wizard.answers(state, "contact"), wizard.answers(state, "address")
    return claims.Details(
        name=service.get("name") or "",
        organisation_name=org.get("name") or "",
        postcode=address.get("postcode") or "",
        phone=org.get("phone") or contact.get("phone") or "",
        email=org.get("email") or contact.get("email") or "",
        website=org.get("website") or service.get("website") or "",
    )


def _matches(proposal: Proposal) -> list[claims.Match]:
    """Likely existing listings not offered before (never for an edit of one's own)."""
    if proposal.kind != ProposalKind.NEW:
        return []
    state = proposal.form_state or {}
    seen = set(state.get("seen_matches") or [])
    return claims.likely_matches(
        db.session, _details(state), organization_id=proposal.organization_id, exclude=seen
    )


@bp.route("/proposals/<proposal_id>/matches", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def matches(proposal_id: str) -> str | BaseResponse:
    """ "Is this you? Ask to manage it", or carry on with a new listing."""
    proposal = editable(proposal_id)
    after = request.args.get("after", "service")
    after = after if after in wizard.MATCH_STEPS else "service"
    found = _matches(proposal)
    form = forms.ButtonForm()
    if not found or form.validate_on_submit():
        if found:
            seen = list((proposal.form_state or {}).get("seen_matches") or [])
            seen += [m.service.id for m in found]
            with unit_of_work(db.session, actor()):
                services.remember(db.session, proposal, "seen_matches", seen[-200:])
        return redirect(next_url(proposal, after), 303)
    return render_template(
        "manage/matches.html",
        proposal=proposal,
        matches=found,
        form=form,
        caption=caption(proposal),
        after=after,
        back=url_for(".step", proposal_id=proposal.id, slug=after),
    )


@bp.route("/proposals/<proposal_id>/check", methods=["GET", "POST"])
@member_required
@limiter.limit(manage_limit, methods=["POST"])
def check(proposal_id: str) -> str | BaseResponse:
    proposal = editable(proposal_id)
    form = forms.ButtonForm()
    errors: list[str] = []
    if form.validate_on_submit():
        with unit_of_work(db.session, actor()):
            outcome = services.submit(db.session, proposal)
        if not outcome.errors:
            return redirect(url_for(".submitted", proposal_id=proposal.id), 303)
        errors = outcome.errors
    state = proposal.form_state or {}
    missing = wizard.missing(state)
    return render_template(
        "manage/check.html",
        proposal=proposal,
        form=form,
        errors=errors,
        sections=summary.sections(db.session, state, term_choices(db.session)),
        missing=missing,
        caption=caption(proposal),
        trusted=services.publishes_directly(db.session, proposal)
        if not missing and proposal.kind == ProposalKind.EDIT
        else False,
        user=current_user,
    )


from directory.manage import when_views  # noqa: E402,F401  (the sessions pages' routes)
