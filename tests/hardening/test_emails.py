"""Email addresses (issue 14, scope 9): ``a,b@example.com`` was sent to two recipients, and
IP-literal domains and NUL bytes got through. One parser (directory.core.emails) now serves
every form that takes an address, and the mailer checks again before sending.
"""

from __future__ import annotations

from email.utils import getaddresses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.core.emails import InvalidEmail, is_email, parse_email
from directory.core.mail import MailRefused, MailSettings, send
from directory.db import db
from tests.factories import make_service
from tests.mylist.smtp import Inbox, mail_config

GOOD = [
    "name@example.com",
    "first.last+tag@sub.example.co.uk",
    "o'brien@example.ie",
    "x@xn--bcher-kva.de",
    "UPPER@EXAMPLE.ORG",
]
BAD = [
    "a,b@example.com",
    "a@example.com,b@example.com",
    "a@example.com;b@example.com",
    "a@example.com b@example.com",
    "a@example.com\nb@example.com",
    "a@example.com\r\nBcc: b@example.com",
    "name@[127.0.0.1]",
    "name@[IPv6:::1]",
    "name@127.0.0.1",
    "name@0x7f.1",
    "name\x00@example.com",
    "name@exa\x00mple.com",
    "na\tme@example.com",
    "name@example.com\x00",
    '"quoted"@example.com',
    "name@localhost",
    "name@-example.com",
    "name@example..com",
    ".name@example.com",
    "name.@example.com",
    "na..me@example.com",
    "a" * 65 + "@example.com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["b" * 60] * 5) + ".com",
    "@example.com",
    "name@",
    "name",
    "José@example.com",
    "",
]

_atom = st.text(
    alphabet=st.sampled_from("abcxyzABC019!#$%&'*+/=?^_`{|}~-"), min_size=1, max_size=10
)
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
valid_addresses = st.builds(
    lambda local, labels, tld: f"{'.'.join(local)}@{'.'.join([*labels, tld])}",
    st.lists(_atom, min_size=1, max_size=3),
    st.lists(_label, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)


@pytest.mark.parametrize("address", GOOD)
def test_ordinary_addresses_are_accepted(address: str):
    parsed = parse_email(f"  {address} ")
    assert parsed.split("@")[0] == address.split("@")[0]
    assert parsed.split("@")[1] == address.split("@")[1].lower()


@pytest.mark.parametrize("address", BAD)
def test_lists_ip_literals_and_control_characters_are_refused(address: str):
    with pytest.raises(InvalidEmail):
        parse_email(address)


def test_the_messages_say_how_to_put_it_right():
    with pytest.raises(InvalidEmail, match="one email address only"):
        parse_email("a@example.com, b@example.com")
    with pytest.raises(InvalidEmail, match="domain name after the @"):
        parse_email("a@[10.0.0.1]")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_whatever_is_accepted_is_exactly_one_printable_address(text: str):
    try:
        parsed = parse_email(text)
    except InvalidEmail:
        return
    assert parsed.isascii() and parsed.isprintable()
    assert parsed.count("@") == 1 and len(parsed) <= 254
    assert not any(ch in parsed for ch in ',; <>()[]\\"')
    assert getaddresses([parsed]) == [("", parsed)]
    assert parse_email(parsed) == parsed


@settings(max_examples=200, deadline=None)
@given(valid_addresses)
def test_generated_addresses_are_accepted_and_stable(address: str):
    parsed = parse_email(address)
    assert parse_email(parsed) == parsed
    assert getaddresses([parsed]) == [("", parsed)]


@settings(max_examples=200, deadline=None)
@given(valid_addresses, valid_addresses, st.sampled_from([",", ";", " ", ", ", "\n", "\t"]))
def test_two_addresses_together_are_always_refused(first: str, second: str, between: str):
    with pytest.raises(InvalidEmail):
        parse_email(first + between + second)


@settings(max_examples=200, deadline=None)
@given(
    valid_addresses,
    st.integers(min_value=0, max_value=200),
    st.sampled_from([chr(c) for c in [*range(32), 127, 0x85, 0x2028, 0xD800, 0xDFFF]]),
)
def test_a_control_character_anywhere_inside_is_refused(address: str, where: int, char: str):
    where %= len(address) + 1
    candidate = address[:where] + char + address[where:]
    if candidate.strip(" \t\r\n") == address:
        return  # a tab or a line break at either end is trimmed, like a space
    assert not is_email(candidate)


# The mailer ----------------------------------------------------------------------------------


def _settings(inbox: Inbox) -> MailSettings:
    return MailSettings.from_config(mail_config(inbox))


@pytest.mark.parametrize("to", ["a,b@example.com", "a@example.com, b@example.com", "x@[127.0.0.1]"])
def test_the_mailer_never_sends_to_a_list(inbox: Inbox, to: str):
    with pytest.raises(MailRefused):
        send(_settings(inbox), to, "Subject", "text", "<p>html</p>")
    assert inbox.messages == []


def test_the_mailer_sends_to_exactly_the_one_address(inbox: Inbox):
    send(_settings(inbox), "Resident@Example.NET ", "Subject", "text", "<p>html</p>")
    [message] = inbox.messages
    assert message.rcpt_tos == ["Resident@example.net"]


# The forms -----------------------------------------------------------------------------------

FORMS = [
    ("/my-list/email", {}),
    ("/account/reset", {}),
    (
        "/account/sign-up",
        {
            "organisation_name": "Upton Knitters",
            "name": "Kit Knitter",
            "password": "quiet harbour lantern 42",
            "confirm": "quiet harbour lantern 42",
        },
    ),
    ("/services/{service}/report", {"problem": "The phone number is wrong"}),
]


@pytest.mark.parametrize(("path", "form"), FORMS)
@pytest.mark.parametrize("address", ["a,b@example.com", "x@[127.0.0.1]", "x\x00@example.com"])
def test_every_public_form_refuses_the_address_and_sends_nothing(
    make_app, inbox: Inbox, path: str, form: dict, address: str
):
    app = make_app()
    with app.app_context():
        service = make_service(db.session, "Upton Repair Cafe")
        db.session.commit()
        service_id = service.id
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["mylist"] = [[service_id, "Upton Repair Cafe", ""]]
    url = path.format(service=service_id)
    response = client.post(url, data={**form, "email": address})
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "email address" in page.lower()
    assert inbox.messages == []


def test_the_invitation_form_refuses_a_list(world, inbox: Inbox):
    client = world.client("owner_a")
    response = client.post(
        f"/account/organisations/{world.ids['org_a']}/people",
        data={"email": "a@example.net,b@example.net", "role": "editor"},
    )
    assert response.status_code == 200
    assert "Enter one email address only" in response.get_data(as_text=True)
    assert inbox.messages == []
