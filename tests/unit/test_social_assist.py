"""The offline hashtag writer (the AI assist's last resort): tags keep words whole."""

from __future__ import annotations

import pytest

from crmapp.services.social.assist import offline_hashtags

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "wanted", "never"),
    [
        (
            "Northwind's harbour tours: Northwind's boats leave at nine.",
            "#Northwind",
            {"#NorthwindS", "#Northwinds"},
        ),
        ("Northwind’s new boats. Northwind’s crew.", "#Northwind", {"#NorthwindS"}),
        ("The customers' favourite customers' lounge", "#Customers", {"#Customers'"}),
        ("Don't miss it, don't wait: the follow-up follow-up tour", "#FollowUp", {"#DonT"}),
        ("Café Müller opens. Café Müller serves.", "#Café", set()),
    ],
)
def test_tags_are_whole_words(text: str, wanted: str, never: set[str]) -> None:
    tags = offline_hashtags(text)
    assert wanted in tags
    assert not never & set(tags)
    assert all(tag[1:].replace("_", "").isalnum() for tag in tags), tags


def test_existing_tags_come_first_and_are_not_repeated() -> None:
    tags = offline_hashtags("Harbour news #Harbour: harbour harbour boats boats boats")
    assert tags[0] == "#Harbour"
    assert [t.lower() for t in tags].count("#harbour") == 1
