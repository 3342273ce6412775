"""Contact search: substring, any case, on name or email, short terms too."""

from __future__ import annotations

import pytest

from crmapp.services.crm import basic_records
from tests import factories


@pytest.fixture
def people():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        for first, last, email in (
            ("Donald", "Knuth", "don@stanford.example"),
            ("Barbara", "Liskov", "barbara@mit.example"),
            ("Ken", "Thompson", "ken@bell.example"),
        ):
            basic_records.create_contact(
                session, owner.actor, basic_records.ContactInput(first, last, email)
            )
    return owner


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("nut", ["Donald"]),  # middle of a last name
        ("KNUTH", ["Donald"]),
        ("mit.exa", ["Barbara"]),  # inside an email
        ("ke", ["Ken"]),  # too short for trigrams: plain match
        ("o", ["Barbara", "Donald", "Ken"]),
        ("zzz", []),
        ("ald kn", []),  # spans two fields: not a match
    ],
)
def test_search_finds_substrings(people, term, expected):
    with factories.scoped(people) as session:
        rows, total = basic_records.list_contacts(session, people.actor, search=term)
    assert sorted(r.first_name for r in rows) == expected
    assert total == len(expected)
