"""Form answers -> a whole ORUK service record (the proposal's ``payload``).

The payload has the shape :func:`directory.listings.serialise.service_json` gives, so the
moderation diff compares like with like and :func:`directory.moderation.apply.apply_proposal`
writes it through the importer's writer. For an edit the record starts as the live one
(``base``) and only the parts of steps the person changed are rebuilt from their answers
(:func:`directory.manage.wizard.unchanged`); everything the wizard does not ask about
(languages, funding, accreditations, a feed's own terms) rides along untouched.

Choices that protect shared records:

* a place already in the directory (a hub, a Let's Talk site) is linked by ``location_id``
  only, so an organisation's listing never rewrites a hub's name or address;
* an organisation that is already listed is carried without its identifiers and attributes,
  so those lists are left as staff keep them;
* nested ids are kept from the live record where the item is the same (first contact, the
  venue's link), and new ones are derived from the listing's id, so re-saving a draft gives
  the same record and the writer changes only what differs.
"""

from __future__ import annotations

import copy

from sqlalchemy.orm import Session

from directory.inference import INFERRED_LINK_TYPES
from directory.listings.models import Organization
from directory.listings.serialise import organization_json, taxonomy_term_json
from directory.manage import wizard
from directory.manage.payload_parts import (
    JSON,
    build_areas,
    build_when,
    build_where,
    derived_id,
    first_sal_id,
    repoint_schedules,
)
from directory.manage.payload_parts import text_or_none as _text
from directory.taxonomy.models import TaxonomyTerm

#: Keys of the live record that describe the directory's view of it, not the listing.
_DROPPED = ("x_possible_duplicates",)
_INFERRED = frozenset(INFERRED_LINK_TYPES.values())

ACCESS_REFERRAL = {
    "referral": "referral_needed",
    "drop_in": "self_referral",
    "book": "self_referral",
}
ACCESS_DEFAULT = {
    "referral": "Ask a professional, such as your GP, a social worker or a link worker, to "
    "refer you.",
    "drop_in": "Just turn up.",
    "book": "Book a place before you come.",
}


def starting_record(base: JSON | None, service_id: str) -> JSON:
    """The record an edit starts from (the live one, less what is not the listing's own)."""
    if base is None:
        return {"id": service_id, "status": "active"}
    record = {k: copy.deepcopy(v) for k, v in base.items() if k not in _DROPPED}
    record["attributes"] = [
        a for a in record.get("attributes") or [] if a.get("link_type") not in _INFERRED
    ]
    record["id"] = service_id
    return record


def build_payload(
    session: Session,
    state: wizard.State,
    *,
    service_id: str,
    organization_id: str | None,
    proposal_id: str,
    base: JSON | None,
) -> JSON:
    """The whole record the answers describe; never raises on odd answers (the record is
    checked by ``apply.check_payload`` before it can be submitted)."""
    record = starting_record(base, service_id)
    ctx = _Context(session, state, service_id, proposal_id, base)
    ctx.organization(record, organization_id)
    if ctx.changed("service"):
        a = wizard.answers(state, "service")
        record.update(
            name=_text(a.get("name")) or "",
            description=_text(a.get("description")),
            url=_text(a.get("website")),
        )
    if ctx.changed("who"):
        ctx.who(record)
    if ctx.changed("cost"):
        ctx.cost(record)
    if ctx.changed("access"):
        a = wizard.answers(state, "access")
        access = a.get("access")
        record["x_referral"] = ACCESS_REFERRAL.get(access)
        record["application_process"] = _text(a.get("how")) or ACCESS_DEFAULT.get(access)
    if ctx.changed("contact"):
        ctx.contact(record)
    where_changed = any(
        ctx.changed(s) for s in ("where", "place", "address") if wizard.applies(state, s)
    )
    sal_id = build_where(session, state, record, service_id, proposal_id) if where_changed else None
    if ctx.changed("when"):
        build_when(state, record, service_id, sal_id if where_changed else first_sal_id(record))
    elif where_changed:
        repoint_schedules(record, sal_id)
    if ctx.changed("area"):
        build_areas(session, state, record, service_id)
    if ctx.changed("needs"):
        ctx.terms(record, "need", wizard.answers(state, "needs").get("needs") or [])
    return {k: v for k, v in record.items() if v is not None}


class _Context:
    def __init__(
        self,
        session: Session,
        state: wizard.State,
        service_id: str,
        proposal_id: str,
        base: JSON | None,
    ) -> None:
        self.session = session
        self.state = state
        self.service_id = service_id
        self.proposal_id = proposal_id
        self.base = base

    def changed(self, slug: str) -> bool:
        """Rebuild this step's part: answered, and (for an edit) not as the live listing was."""
        if not wizard.is_done(self.state, slug):
            return False
        return self.base is None or not wizard.unchanged(self.state, slug)

    def organization(self, record: JSON, organization_id: str | None) -> None:
        live = self.session.get(Organization, organization_id) if organization_id else None
        if not self.changed("organisation"):
            if self.base is None and live is not None:
                record["organization"] = organization_json(live, full=False)
            return
        a = wizard.answers(self.state, "organisation")
        org = dict(record.get("organization") or {})
        if not org and live is not None:
            org = organization_json(live, full=False)
        org.update(
            id=organization_id or org.get("id") or derived_id(self.service_id, "org"),
            name=_text(a.get("name")) or "",
            description=_text(a.get("description")) or "",
            website=_text(a.get("website")),
            email=_text(a.get("email")),
        )
        record["organization"] = {k: v for k, v in org.items() if v is not None}
        record.pop("organization_id", None)

    def who(self, record: JSON) -> None:
        a = wizard.answers(self.state, "who")
        for key, answer in (("minimum_age", "minimum_age"), ("maximum_age", "maximum_age")):
            value = _text(a.get(answer))
            record[key] = int(value) if value and value.isdigit() else None
        record["eligibility_description"] = _text(a.get("eligibility"))
        self.terms(record, "client_group", a.get("client_groups") or [])

    def cost(self, record: JSON) -> None:
        a = wizard.answers(self.state, "cost")
        kind, details = a.get("cost"), _text(a.get("details"))
        old = record.get("cost_options") or []
        option_id = (
            old[0]["id"] if old and old[0].get("id") else derived_id(self.service_id, "cost")
        )
        option: JSON = {"id": option_id}
        if kind == "free":
            option.update(option="Free", amount=0, amount_description=details)
        elif kind == "paid":
            try:
                amount: float | None = round(float(str(a.get("amount") or "").lstrip("£")), 2)
            except ValueError:
                amount = None
            option.update(option="Charge", amount=amount, amount_description=details)
        elif kind == "donation":
            option.update(
                option="Donation",
                amount=0,
                amount_description=details or "Free. Donations are welcome.",
            )
        else:
            return
        record["cost_options"] = [{k: v for k, v in option.items() if v is not None}]
        record["fees"] = None  # the words said before may now be wrong; the option says it

    def contact(self, record: JSON) -> None:
        a = wizard.answers(self.state, "contact")
        contacts = record.get("contacts") or []
        first = dict(contacts[0]) if contacts else {"id": derived_id(self.service_id, "contact")}
        first.update(name=_text(a.get("contact_name")), email=_text(a.get("email")))
        phones = list(first.get("phones") or [])
        number = _text(a.get("phone"))
        if number:
            phone = dict(phones[0]) if phones else {"id": derived_id(first["id"], "phone")}
            phone["number"] = number
            phone.pop("extension", None)
            phones = [phone, *phones[1:]]
        else:
            phones = []
        first["phones"] = phones
        record["contacts"] = [{k: v for k, v in first.items() if v is not None}, *contacts[1:]]
        record["email"] = _text(a.get("email"))

    def terms(self, record: JSON, link_type: str, term_ids: list[str]) -> None:
        """Replace the listing's curated links of one kind with the chosen terms."""
        attributes = record.get("attributes") or []
        kept = [a for a in attributes if a.get("link_type") != link_type]
        old = {_term_id(a): a for a in attributes if a.get("link_type") == link_type}
        chosen = []
        for term_id in dict.fromkeys(term_ids):
            if term_id in old:
                chosen.append(old[term_id])
                continue
            term = self.session.get(TaxonomyTerm, term_id)
            if term is None:
                continue
            chosen.append(
                {
                    "id": derived_id(self.service_id, link_type, term_id),
                    "link_id": self.service_id,
                    "link_type": link_type,
                    "taxonomy_term_id": term_id,
                    "link_entity": "service",
                    "taxonomy_term": taxonomy_term_json(term),
                }
            )
        record["attributes"] = kept + chosen


def _term_id(attribute: JSON) -> str | None:
    return attribute.get("taxonomy_term_id") or (attribute.get("taxonomy_term") or {}).get("id")
