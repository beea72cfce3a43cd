"""/staff/privacy (admins only): find a person's help requests and offers by reference, email
or phone; download everything held about them as JSON; erase their personal data after a
confirmation; and the access log: who saw which person's record, when.

Every page that shows a person's data writes one access log row per record shown (view,
export, delete), in the same unit of work as the page's own work. Searches are posted, so
nothing that identifies a person is ever in a URL. Thin: the work is in
:mod:`directory.privacy.subject` and :mod:`directory.privacy.services`.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from directory.accounts.models import StaffRole, User
from directory.accounts.policy import staff_required, user_label
from directory.core.actor import Actor
from directory.core.ids import utcnow
from directory.core.uow import unit_of_work
from directory.db import db
from directory.extensions import limiter
from directory.help_offers.models import HelpOffer
from directory.help_requests.models import HelpRequest
from directory.privacy.forms import DeleteForm, ExportForm, FindPersonForm
from directory.privacy.models import PersonalDataAccess
from directory.privacy.services import ACTION_WORDS, log_access, personal_data_days
from directory.privacy.subject import PersonRecords, delete_person, export_person, find_person
from directory.staff.limits import staff_limit

bp = Blueprint("privacy", __name__, url_prefix="/staff/privacy")

ADMIN = StaffRole.ADMIN
LOG_PAGE_SIZE = 100
RECORD_WORDS = {"help_request": "Help request", "help_offer": "Offer of help"}


@bp.app_context_processor
def _privacy_notice() -> dict:
    """The public privacy notice's "we remove it N days after closing"."""
    return {"personal_data_days": lambda: personal_data_days(current_app.config)}


def _me() -> str:
    return str(current_user.id)


def _show(records: PersonRecords) -> None:
    """Log a view of every record about to be shown, and keep it (its own unit of work)."""
    with unit_of_work(db.session, Actor.user(_me())):
        for kind, obj in records.records():
            log_access(db.session, _me(), kind, obj.id, "view")


def _results_page(form: FindPersonForm, records: PersonRecords | None, status: int = 200):
    data = form.lookup() if records is not None else {}
    page = render_template(
        "privacy/index.html",
        form=form,
        records=records,
        export_form=ExportForm(formdata=None, data=data),
        delete_form=DeleteForm(formdata=None, data=data),
        days=personal_data_days(current_app.config),
    )
    return page, status


def _invalid():  # type: ignore[no-untyped-def]
    """A button's hidden lookup did not validate (altered by hand): the search form with
    the same answers and its errors, so the error summary links to fields that are shown."""
    form = FindPersonForm()
    form.validate()
    return _results_page(form, None, 400)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(staff_limit, methods=["POST"])
@staff_required(ADMIN)
def index():  # type: ignore[no-untyped-def]
    form = FindPersonForm()
    if not form.is_submitted():
        return _results_page(form, None)
    if not form.validate():
        return _results_page(form, None, 400)
    records = find_person(db.session, **form.lookup())
    _show(records)
    return _results_page(form, records)


@bp.post("/export")
@limiter.limit(staff_limit)
@staff_required(ADMIN)
def export():  # type: ignore[no-untyped-def]
    form = ExportForm()
    if not form.validate():
        return _invalid()
    with unit_of_work(db.session, Actor.user(_me())):
        data = export_person(
            db.session,
            **form.lookup(),
            user_id=_me(),
            service_name=current_app.config.get("SERVICE_NAME", ""),
        )
    if not (data["help_requests"] or data["help_offers"]):
        flash("No help request or offer matches: there is nothing to download", "error")
        return redirect(url_for(".index"), 303)
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    filename = f"personal-data-{utcnow():%Y-%m-%d-%H%M%S}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/delete")
@limiter.limit(staff_limit)
@staff_required(ADMIN)
def delete():  # type: ignore[no-untyped-def]
    form = DeleteForm()
    if not form.validate():
        return _invalid()
    if form.confirmed.data != "yes":
        records = find_person(db.session, **form.lookup())
        if not len(records):
            flash("No help request or offer matches: there is nothing to erase", "error")
            return redirect(url_for(".index"), 303)
        _show(records)
        confirm = DeleteForm(formdata=None, data={**form.lookup(), "confirmed": "yes"})
        return render_template("privacy/confirm_delete.html", records=records, form=confirm)
    with unit_of_work(db.session, Actor.user(_me())):
        result = delete_person(db.session, **form.lookup(), user_id=_me())
    flash(
        f"Personal data erased from {result.requests} help request"
        f"{'' if result.requests == 1 else 's'} and {result.offers} offer"
        f"{'' if result.offers == 1 else 's'}. The references and anonymous counts remain",
        "success",
    )
    return redirect(url_for(".index"), 303)


@bp.get("/access-log")
@staff_required(ADMIN)
def access_log():  # type: ignore[no-untyped-def]
    """Who saw which person's record, when: newest first, a page at a time. The log holds
    ids; the page shows the record's reference and the staff member's name."""
    page = request.args.get("page", 1, type=int) or 1
    page = max(1, min(page, 100_000))
    session = db.session
    total = int(session.scalar(select(func.count(PersonalDataAccess.id))) or 0)
    pages = max(1, -(-total // LOG_PAGE_SIZE))
    page = min(page, pages)
    rows = list(
        session.scalars(
            select(PersonalDataAccess)
            .order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
            .offset((page - 1) * LOG_PAGE_SIZE)
            .limit(LOG_PAGE_SIZE)
        )
    )
    user_ids = {r.user_id for r in rows if r.user_id}
    people = {
        u.id: user_label(u) for u in session.scalars(select(User).where(User.id.in_(user_ids)))
    }
    ids = {r.record_id for r in rows}
    references: dict[str, str] = {}
    for model in (HelpRequest, HelpOffer):
        found = session.execute(select(model.id, model.reference).where(model.id.in_(ids)))
        references.update(dict(found.all()))
    return render_template(
        "privacy/access_log.html",
        rows=rows,
        people=people,
        references=references,
        action_words=ACTION_WORDS,
        record_words=RECORD_WORDS,
        page=page,
        pages=pages,
        total=total,
    )
