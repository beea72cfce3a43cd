"""``/staff/insights``: the insight tables with a chart beside each, for a chosen period, and
every table as a CSV download (``/staff/insights/<table>.csv``). Moderators and admins only;
nothing on these pages is personal, so no access is logged per view."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from directory.accounts.policy import staff_required
from directory.db import db
from directory.insights.charts import bar_chart
from directory.insights.forms import PeriodForm
from directory.insights.reports import TABLE_KEYS, build_tables, find
from directory.insights.tables import Period, to_csv

bp = Blueprint("insights", __name__, url_prefix="/staff/insights")

#: The page's sections: a heading and the tables under it.
SECTIONS = (
    ("Requests, offers and outcomes", ("monthly", "outcomes", "needs", "areas")),
    ("Unmet need", ("unmet",)),
    ("Over time, by need and by area", ("needs_by_month", "areas_by_month")),
    ("What residents search for", ("searches_monthly", "top_queries", "zero_queries",
                                   "search_needs")),
)  # fmt: skip
_CSV_TABLES = ",".join(TABLE_KEYS)


@bp.get("/")
@staff_required()
def index() -> tuple[str, int] | str:
    form = PeriodForm(formdata=request.args if request.args else None)
    valid = form.validate() if request.args else True
    period = form.period() if valid else Period()
    tables = build_tables(db.session, period)
    sections = [(heading, [find(tables, key) for key in keys]) for heading, keys in SECTIONS]
    page = render_template(
        "insights/index.html",
        form=form,
        period=period,
        sections=sections,
        chart=bar_chart,
        csv_query=period.query(),
    )
    return (page, 400) if not valid else page


@bp.get(f"/<any({_CSV_TABLES}):table>.csv")
@staff_required()
def download(table: str) -> Response:
    try:
        period = Period.parse(request.args.get("from", ""), request.args.get("to", ""))
    except ValueError as exc:
        abort(400, description=f"{exc} in 'from' and 'to'.")
    found = build_tables(db.session, period, keys=[table])[0]
    name = f"{table}-{period.label.replace(' ', '-')}.csv"
    return Response(
        to_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
