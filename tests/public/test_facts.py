"""A service's facts in words: cost, referral, delivery, closure and contacts."""

from __future__ import annotations

from directory.models import Contact, CostOption, Phone, Service
from directory.public import facts


def service_with_costs(*options: CostOption, fees: str | None = None) -> Service:
    service = Service(name="Test service", fees=fees)
    service.cost_options.extend(options)
    return service


def test_cost_free_paid_and_unknown():
    free = facts.cost(service_with_costs(CostOption(option="Free", amount=0)))
    assert free.free and free.lines == [] and free.known
    paid = facts.cost(service_with_costs(CostOption(amount=2.5, amount_description="per session")))
    assert not paid.free and paid.lines == ["£2.50: per session"]
    described = facts.cost(
        service_with_costs(CostOption(amount=3.5, amount_description="£3.50 per lunch"))
    )
    assert described.lines == ["£3.50 per lunch"]
    unknown = facts.cost(service_with_costs())
    assert not unknown.known
    by_fees = facts.cost(service_with_costs(fees="Free"))
    assert by_fees.free and by_fees.notes is None
    donation = facts.cost(service_with_costs(fees="Donations welcome"))
    assert not donation.free and donation.notes == "Donations welcome"


def test_referral_delivery_and_closure_words():
    assert facts.referral_text("self") == "You can contact this service yourself."
    assert facts.referral_text("professional").startswith("You need to be referred")
    assert facts.referral_text("Via your health visitor") == "Via your health visitor"
    assert facts.referral_text(None) is None
    assert facts.delivery_words(["phone", "online", "bogus"]) == ["By phone", "Online"]
    assert facts.closed_notice("temporarily closed") == "This service is temporarily closed."
    assert facts.closed_notice("active") is None


def test_contacts_keep_dialable_numbers():
    service = Service(name="Helpline")
    contact = Contact(name="Helpline", email=None)
    contact.phones.extend(
        [Phone(number="0800 123 456", description="Free to call"), Phone(number="")]
    )
    service.contacts.extend([contact, Contact(name="Nobody")])
    [view] = facts.contacts(service)
    assert [(p.number, p.href) for p in view.phones] == [("0800 123 456", "tel:0800123456")]


def test_fees_that_repeat_the_cost_option_are_said_once():
    """63 seeded listings give the same words as ``fees`` and as a cost option."""
    cost = facts.cost(
        service_with_costs(
            CostOption(option="Per course", amount=30, amount_description="£30 for 12 weeks"),
            fees="£30 for 12 weeks",
        )
    )
    assert cost.lines == ["£30 for 12 weeks"] and cost.notes is None
    other = facts.cost(
        service_with_costs(
            CostOption(amount=2, amount_description="£2 a session"), fees="Bring cash"
        )
    )
    assert other.notes == "Bring cash"


def test_delivery_is_one_sentence_of_alternatives():
    assert facts.delivery_sentence(["in_person"]) == "You can use this service in person."
    assert (
        facts.delivery_sentence(["online", "phone", "in_person"])
        == "You can use this service in person, by phone or online."
    )
    assert facts.delivery_sentence([]) is None


def test_a_phone_described_only_as_call_has_no_description():
    service = Service(name="Organiser")
    contact = Contact(name="Organiser")
    contact.phones.extend(
        [
            Phone(number="07700 900122", description="Call"),
            Phone(number="01632 960216", description="Text us"),
        ]
    )
    service.contacts.append(contact)
    [view] = facts.contacts(service)
    assert [p.description for p in view.phones] == [None, "Text us"]


def test_eligibility_drops_only_sentences_that_repeat_the_list():
    shown = ["Ages 16 and over", "Older people", "Disabled people", "People in Worcestershire"]
    assert facts.eligibility_paragraphs("Aged 16 and over.", shown) == []
    assert (
        facts.eligibility_paragraphs(
            "For older people and disabled people. For people living in Worcestershire.", shown
        )
        == []
    )
    assert facts.eligibility_paragraphs(
        "For older people. You must be registered with a Worcester GP.", shown
    ) == ["You must be registered with a Worcester GP."]
    assert facts.eligibility_paragraphs("Anyone is welcome.", shown) == ["Anyone is welcome."]
