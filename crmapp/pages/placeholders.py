"""Pages that later issues build; each says so."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import placeholder_page


def inbox_page() -> rx.Component:
    """Unified inbox."""
    return placeholder_page(
        "Inbox",
        "inbox",
        "Replies and mentions from every network in one place.",
        "Social publishing",
    )


def analytics_page() -> rx.Component:
    """Social analytics."""
    return placeholder_page(
        "Analytics",
        "chart-column",
        "Reach, engagement and the deals your posts helped win.",
        "Social publishing",
    )
