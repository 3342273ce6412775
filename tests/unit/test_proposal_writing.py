"""Pure parts of proposal writing: splitting a draft into sections, offline rewrites, tone."""

from __future__ import annotations

import pytest

from crmapp.services.proposals import insights, offline_writer
from crmapp.services.proposals.deal_context import DealContext, draft_input
from crmapp.services.proposals.deal_prompt import messages, section_messages
from crmapp.services.proposals.generation import split_sections


def test_a_draft_splits_by_heading_matched_by_name_then_in_order():
    text = "Intro line.\n\n## Scope\nWe build it.\n\n## overview\nWhy.\n\n## Extra\nMore."
    bodies = split_sections(text, ["Overview", "Scope", "Timeline"])
    assert bodies[0].startswith("Intro line.") and bodies[0].endswith("Why.")
    assert bodies[1] == "We build it."
    assert bodies[2] == "More."  # unmatched heading fills the section in its position


def test_a_section_the_draft_leaves_out_stays_empty_not_a_copy_of_another():
    bodies = split_sections(
        "## Overview\nWhy.\n\n## Investment\nThe price.", ["Overview", "Scope", "Investment"]
    )
    assert bodies == ["Why.", "", "The price."]


def test_an_aggressive_timeline_shortens_every_duration():
    section = offline_writer.Section("Timeline", "")
    out = offline_writer.redraft_section(
        section,
        "Discovery: 3 weeks. Build: 9 weeks. Launch: 1 day.",
        "Make the timeline more aggressive",
    )
    assert "2 weeks" in out and "6 weeks" in out and "1 day" in out
    assert out.startswith("## Timeline")


def test_a_shorter_rewrite_keeps_first_sentences_and_other_wishes_are_stated():
    section = offline_writer.Section("Overview", "")
    text = "First point. Second point.\n\nAnother. And more."
    assert "Second point" not in offline_writer.redraft_section(section, text, "make it shorter")
    other = offline_writer.redraft_section(section, text, "mention our award")
    assert "Revised to mention our award." in other and "Second point" in other


def test_tone_fits_the_voice_it_was_asked_for():
    formal = (
        "We are pleased to set out the scope of this engagement for your organisation. "
        "The programme comprises three phases, each concluding with a formal review."
    )
    chatty = "We'll totally nail this! You're gonna love it! Maybe we'll add stuff, perhaps."
    assert insights.tone(formal, "formal").score > insights.tone(chatty, "formal").score
    assert insights.tone(chatty, "formal").score < 60
    assert "contractions" in insights.tone(chatty, "formal").label
    assert insights.tone("", "direct").score == 0


# What the CRM holds about a deal that the client must never read: its stage, owner,
# probability, value estimate and forecast date, and the notes, tasks and activity logs.
INTERNAL = {
    "stage": "Negotiation",
    "account_owner": "Ottoline Owner",
    "probability": "75%",
    "value": "12,500.00 EUR",
    "expected_close": "2026-09-30",
}
HISTORY = [
    "2026-05-02 task: Chase Finance for the PO — budget approved up to $12k",
    "2026-05-01 note: Internal: they are price sensitive, CFO must approve",
    "Notes on Hana Hale: Finance signs off anything over $10k.",
]
GUIDED = [
    offline_writer.Section("Overview", "Summarise the client's situation and the outcome"),
    offline_writer.Section("Scope of work", "List what is in scope and what is out of scope"),
    offline_writer.Section("Timeline", "Set out the phases and milestones"),
    offline_writer.Section("Investment", "Summarise the fees and the payment schedule"),
]
LEAKS = [
    "Negotiation",
    "Ottoline",
    "75%",
    "12,500",
    "2026-09-30",
    "$12k",
    "$10k",
    "Chase Finance",
    "price sensitive",
    "CFO",
    "task:",
    "note:",
    "Stage",
    "Account Owner",
    "Products Of Interest",
    "What we have discussed",
    "This section will",
    "Together, we will",
    "We will summarise",
    "summarise the client",
    "list what is in scope",
    "payment schedule",
]


def graph() -> DealContext:
    facts = {
        "client": "Harbour Lights",
        "deal": "Booking site rebuild",
        "contact": "Hana Hale, COO",
        "products_of_interest": "Web design, Hosting",
    }
    return DealContext(facts, HISTORY, background=dict(INTERNAL))


@pytest.mark.parametrize("voice", ["formal", "consultative", "direct"])
def test_the_offline_draft_quotes_no_internal_fact_and_no_guidance(voice):
    text = offline_writer.draft(draft_input(graph(), GUIDED, voice))
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Overview",
        "## Scope of work",
        "## Timeline",
        "## Investment",
    ]
    assert "Harbour Lights" in text and "Web design" in text and "Hosting" in text
    found = [leak for leak in LEAKS if leak.lower() in text.lower()]
    assert found == [], text


def test_prompts_separate_what_may_be_quoted_from_background_only():
    system, user = (m["content"] for m in messages(graph(), GUIDED))
    assert "never quote" in system.lower() and "background" in system.lower()
    quotable, background = user.split("Background only", 1)
    assert "Harbour Lights" in quotable and "Web design" in quotable
    for internal in [*INTERNAL.values(), "$12k", "Chase Finance", "price sensitive"]:
        assert internal not in quotable and internal in background
    assert "do not restate" in user.lower()  # guidance is an instruction, not text to copy
    system, user = (
        m["content"] for m in section_messages(graph(), GUIDED[0], "Old text.", "shorter")
    )
    assert "never quote" in system.lower()
    quotable, background = user.split("Background only", 1)
    assert "Negotiation" not in quotable and "Negotiation" in background
