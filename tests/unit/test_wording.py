"""The one pluralising helper, and select options shown by their labels."""

from __future__ import annotations

import pytest

from crmapp.services.crm import builtin_fields
from crmapp.services.platform import wording


@pytest.mark.parametrize(
    ("count", "noun", "shown"),
    [
        (1, "company", "1 company"),
        (3, "company", "3 companies"),
        (0, "deal", "0 deals"),
        (1, "proposal", "1 proposal"),
        (2, "match", "2 matches"),
        (1200, "row", "1,200 rows"),
        (2, "day", "2 days"),
    ],
)
def test_counts_agree_with_their_noun(count, noun, shown):
    assert wording.plural(count, noun) == shown


@pytest.mark.parametrize("noun", ["company", "contact", "deal", "event", "match", "proposal"])
def test_singular_undoes_plural(noun):
    assert wording.singular_of(wording.plural_of(noun)) == noun


def test_lifecycle_stages_read_as_labels_and_parse_from_them():
    stage = builtin_fields.field_def("contact", "lifecycle_stage")
    assert stage is not None
    assert builtin_fields.display(stage, "lead") == "Lead"
    assert builtin_fields.parse(stage, "Customer") == "customer"  # an import may use the label
    with pytest.raises(ValueError, match="Subscriber, Lead, Qualified"):
        builtin_fields.parse(stage, "king")
