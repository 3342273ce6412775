"""Pure parts of proposal writing: splitting a draft into sections, offline rewrites, tone."""

from __future__ import annotations

from crmapp.services.ai import offline
from crmapp.services.proposals import insights
from crmapp.services.proposals.generation import split_sections


def test_a_draft_splits_by_heading_matched_by_name_then_in_order():
    text = "Intro line.\n\n## Scope\nWe build it.\n\n## overview\nWhy.\n\n## Extra\nMore."
    bodies = split_sections(text, ["Overview", "Scope", "Timeline"])
    assert bodies[0].startswith("Intro line.") and bodies[0].endswith("Why.")
    assert bodies[1] == "We build it."
    assert bodies[2] == "More."  # unmatched heading fills the section in its position


def test_an_aggressive_timeline_shortens_every_duration():
    section = offline.Section("Timeline", "")
    out = offline.redraft_section(
        section,
        "Discovery: 3 weeks. Build: 9 weeks. Launch: 1 day.",
        "Make the timeline more aggressive",
    )
    assert "2 weeks" in out and "6 weeks" in out and "1 day" in out
    assert out.startswith("## Timeline")


def test_a_shorter_rewrite_keeps_first_sentences_and_other_wishes_are_stated():
    section = offline.Section("Overview", "")
    text = "First point. Second point.\n\nAnother. And more."
    assert "Second point" not in offline.redraft_section(section, text, "make it shorter")
    other = offline.redraft_section(section, text, "mention our award")
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
