"""Writing service records (and ``service_at_location`` links) on top of :mod:`writer`."""

from __future__ import annotations

from directory.listings.models import Contact, Organization, Phone, Schedule, Service
from directory.listings.records import JSON
from directory.listings.shapes.terms import LINK_TYPE as SOURCE_TERM
from directory.listings.writer import Writer
from directory.places.models import Location, ServiceAtLocation


class ServiceWriter(Writer):
    """The writer the importer uses: services with everything nested in them."""

    # -- services ------------------------------------------------------------------------

    def service(self, data: JSON) -> str:
        service, created = self._get_or_new("service", data["id"])
        changed = self._fields("service", service, data)
        changed |= self._service_organization(service, data)
        simple = (
            ("service_areas", "service_area"),
            ("languages", "language"),
            ("funding", "funding"),
            ("cost_options", "cost_option"),
        )
        for key, kind in simple:
            if key in data:
                collection = getattr(service, key)
                changed |= self._sync(kind, collection, data[key], self._plain(kind))
        if "service_at_locations" in data:
            changed |= self._sync(
                "service_at_location",
                service.service_at_locations,
                data["service_at_locations"],
                self._service_at_location,
            )
        if "schedules" in data:
            changed |= self._sync("schedule", service.schedules, data["schedules"], self._schedule)
        if "contacts" in data:
            changed |= self._sync("contact", service.contacts, data["contacts"], self._contact)
        if "x_source_terms" in data:
            # A feed's own taxonomy terms: synced on their own, leaving curated links alone.
            changed |= self._attributes(
                service, "service", data["x_source_terms"], lambda a: a.link_type == SOURCE_TERM
            )
            if "attributes" in data:
                changed |= self._attributes(
                    service, "service", data["attributes"], lambda a: a.link_type != SOURCE_TERM
                )
        elif "attributes" in data:
            changed |= self._attributes(service, "service", data["attributes"])
        return self.note("service", service.id, created, changed)

    def _service_organization(self, service: Service, data: JSON) -> bool:
        organization = None
        if data.get("organization"):
            organization = self._get(Organization, self.organization(data["organization"]))
        elif data.get("organization_id"):
            organization = self._get(Organization, data["organization_id"])
            if organization is None:
                self.issues.warn(
                    f"organization_id {data['organization_id']} is not known; left out"
                )
        if service.organization is organization:
            return False
        service.organization = organization
        return True

    def _schedule(self, schedule: Schedule, item: JSON) -> bool:
        changed = self._fields("schedule", schedule, item)
        changed |= self._set(schedule, "location_id", item.get("location_id"))
        sal_id = item.get("service_at_location_id")
        sal = self._get(ServiceAtLocation, sal_id) if sal_id else None
        if sal_id and sal is None:
            self.issues.warn(f"schedule {item['id']}: service_at_location {sal_id} not known")
        if schedule.service_at_location is not sal:
            schedule.service_at_location = sal
            changed = True
        return changed

    def _contact(self, contact: Contact, item: JSON) -> bool:
        changed = self._fields("contact", contact, item)
        if "phones" in item:
            order = {phone["id"]: i for i, phone in enumerate(item["phones"])}

            def phone(obj: Phone, values: JSON) -> bool:
                changed = self._fields("phone", obj, values)
                return self._set(obj, "position", order[values["id"]]) or changed

            changed |= self._sync("phone", contact.phones, item["phones"], phone)
            # Removing a number renumbers the list as it stands: put it in the given order
            # first, so the places stay those given.
            contact.phones.sort(key=lambda p: order.get(p.id, len(order)))
            contact.phones.reorder()
        return changed

    def _service_at_location(self, sal: ServiceAtLocation, item: JSON) -> bool | None:
        if item.get("location"):
            location = self._get(Location, self.location(item["location"]))
        else:
            location = self._get(Location, item["location_id"]) if item.get("location_id") else None
            if location is None:
                self.issues.warn(f"service_at_location {item['id']}: no location; left out")
                return None
        changed = self._fields("service_at_location", sal, item)
        if sal.location is not location:
            sal.location = location
            changed = True
        return changed

    def link_service_to_location(self, data: JSON) -> str:
        """A ``service_at_location`` record: the service (if nested) and its link."""
        if data.get("service"):
            self.service(data["service"])
        service_id = data["service"]["id"] if data.get("service") else data.get("service_id")
        service = self._get(Service, service_id) if service_id else None
        if service is None:
            raise LookupError("names no service that is known")
        sal, created = self._get_or_new("service_at_location", data["id"])
        changed = self._service_at_location(sal, data)
        if changed is None:
            raise LookupError("names no location that is known")
        if sal.service is not service:
            sal.service = service
            changed = True
        self.note("service", service.id, False, bool(changed))
        return self.note("service_at_location", sal.id, created, bool(changed))
