"""References: short, unambiguous when read out, self-checking, and unique."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from directory.help_requests import services
from directory.help_requests.models import HelpRequest

FORMAT = re.compile(r"^H2H-[ACDEFGHJKMNPQRTWXY34679]{4}-[ACDEFGHJKMNPQRTWXY34679]{2}$")


def test_the_format_uses_no_character_that_can_be_misread():
    for _ in range(500):
        reference = services.new_reference()
        assert FORMAT.match(reference), reference
        assert not set(reference[4:]) & set("0O1IL2Z5S8BUV")


def test_many_references_are_all_different():
    found = {services.new_reference() for _ in range(5000)}
    assert len(found) > 4990  # 6.4 million to choose from; the database makes sure


def test_typed_or_read_out_references_are_recognised():
    reference = services.new_reference()
    compact = reference.replace("-", "")
    for typed in (
        reference,
        reference.lower(),
        compact,
        f" {compact[:3]} {compact[3:7]} {compact[7:]} ",
    ):
        assert services.normalise_reference(typed) == reference
    assert services.normalise_reference(reference[4:]) == reference  # without the prefix


def test_one_wrong_character_or_two_swapped_are_caught():
    alphabet = services.ALPHABET
    for _ in range(200):
        reference = services.new_reference()
        code = reference[4:8] + reference[9:]
        for i in range(len(code)):
            for other in alphabet:
                if other != code[i]:
                    wrong = code[:i] + other + code[i + 1 :]
                    assert services.normalise_reference(wrong) is None, (reference, wrong)
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert services.normalise_reference(swapped) is None, (reference, swapped)


@pytest.mark.parametrize(
    "text", ["", "H2H", "H2H-0000-00", "H2H-AAAA-AAA", "x" * 1000, None, 42, "H2H-💥💥💥💥-💥💥"]
)
def test_anything_else_is_not_a_reference(text):
    assert services.normalise_reference(text) is None


def test_the_database_refuses_a_reference_twice(session):
    from tests.help_requests.test_journey_requests import request_row

    session.add(request_row("H2H-ACDE-FG"))
    session.commit()
    session.add(request_row("H2H-ACDE-FG"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert session.query(HelpRequest).count() == 1


def test_a_new_reference_is_never_one_already_taken(session):
    from tests.help_requests.test_journey_requests import request_row

    taken = set()
    for _ in range(50):
        reference = services.unique_reference(session)
        assert reference not in taken
        taken.add(reference)
        session.add(request_row(reference))
        session.flush()
