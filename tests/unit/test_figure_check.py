"""Figures traced to facts: the same amount, percentage, duration, date or name written in
different ways is one figure; an invented one is not traced; internal facts are found and cut."""

from __future__ import annotations

import pytest

from crmapp.services.proposals.fact_guard import Guard
from crmapp.services.proposals.figure_check import Known, figures, untraced


def flagged(draft: str, *known: str) -> list[str]:
    return [f.text for f in untraced(draft, Known(list(known)))]


@pytest.mark.parametrize(
    ("draft", "fact"),
    [
        ("The day rate is €1.200.", "Day rate: 1,200 EUR"),
        ("The day rate is 1200.00 EUR.", "Day rate: €1,200"),
        ("A fee of EUR 1,200.00 applies.", "A fee of 1.200 euros applies."),
        ("Hosting costs $12k a year.", "Hosting: 12,000 USD per year"),
        ("Total: 63,600.00", "The total is 63,600 USD"),
        ("We take 15% upfront.", "15 percent is due on signature"),
        ("We take 15 per cent upfront.", "15% is due on signature"),
        ("Delivery takes six weeks.", "Delivery in 6 weeks"),
        ("A 6-week build.", "the build takes 42 days"),
        ("Kick-off on 12 March 2027.", "Start date: 2027-03-12"),
        ("Kick-off on March 12, 2027.", "Start date: 12/03/2027"),
        ("Kick-off in March 2027.", "Start date: 2027-03-12"),
        ("Prepared for José García.", "Contact: José García, COO"),
        ("Prepared for Zoë Müller-Lüdenscheid.", "Zoe Muller-Ludenscheid"),
    ],
)
def test_the_same_figure_written_another_way_is_traced(draft, fact):
    assert flagged(draft, fact) == []


@pytest.mark.parametrize(
    ("draft", "fact", "wrong"),
    [
        ("The day rate is $1,200.", "Day rate: €1,200", "$1,200"),  # euro rates to a USD client
        ("The day rate is €1,250.", "Day rate: €1,200", "€1,250"),
        ("We take 20% upfront.", "15% is due on signature", "20%"),
        ("Delivery takes eight weeks.", "Delivery in 6 weeks", "eight weeks"),
        ("Kick-off on 13 March 2027.", "Start date: 2027-03-12", "13 March 2027"),
        ("Kick-off in April 2027.", "Start date: 2027-03-12", "April 2027"),
        ("Approved by Josefina García.", "Contact: José García", "Josefina García"),
        ("We worked with Acme Harbour.", "Harbour Lights", "Acme Harbour"),
    ],
)
def test_a_figure_no_fact_states_is_flagged(draft, fact, wrong):
    assert flagged(draft, fact) == [wrong]


def test_sentence_openers_and_common_words_are_not_names():
    assert flagged("Design and build. We start in Week 1 of the Scope.") == []
    assert flagged("Our team delivers the PDF and the FAQ.") == []
    assert [f.kind for f in figures("Then Harbour Lights signs.")] == ["name"]


def test_a_money_amount_without_currency_in_the_fact_matches_any_currency():
    assert flagged("Support costs €950 a month.", "Support: 950 per month") == []


GUARD_INTERNAL = [
    (
        "2026-11-30 call: Fee waiver — They asked whether the onboarding fee can be waived; "
        "Finance director Ottoline Brandt must approve anything over $10k.",
        "Call 2026-11-30",
    ),
    ("probability: 65%", "deal probability"),
    ("Negotiation", "deal stage"),
]


def guard() -> Guard:
    visible = Known(["Harbour Lights", "Booking site rebuild", "Onboarding fee: €2,000"])
    return Guard(GUARD_INTERNAL, visible, stages=["Negotiation"])


def test_internal_text_names_and_figures_are_found_but_shared_ones_are_not():
    leaks = guard().leaks
    assert leaks("Ottoline Brandt will approve it.")[0].source == "Call 2026-11-30"
    assert leaks("Anything over $10k needs approval.")
    assert leaks("You have a 65% chance.")
    assert leaks("the onboarding fee can be waived for you")
    assert leaks("We are in the negotiation stage.")
    assert leaks("The onboarding fee is €2,000 for Harbour Lights.") == []  # client-visible
    assert leaks("After negotiation we agree the plan.") == []  # a stage name is a common word


def test_clean_drops_the_sentences_and_list_items_that_quote_internal_facts():
    text = (
        "We are glad to work with Harbour Lights. The onboarding fee can be waived, Ottoline "
        "says.\n\n- Design\n- Approval over $10k by Finance\n- Hosting"
    )
    cleaned, removed = guard().clean(text)
    assert cleaned == "We are glad to work with Harbour Lights.\n\n- Design\n- Hosting"
    assert [r.source for r in removed] == ["Call 2026-11-30", "Call 2026-11-30"]
