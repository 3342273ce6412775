"""Pages still to come; each says what it will hold (and that nothing is stored there yet)."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import placeholder_page


def inbox_page() -> rx.Component:
    """Unified inbox."""
    return placeholder_page(
        "Inbox",
        "inbox",
        "Comments, replies and mentions from every connected account will gather here, so you "
        "can answer them without leaving Tandem.",
    )


def analytics_page() -> rx.Component:
    """Social analytics."""
    return placeholder_page(
        "Analytics",
        "chart-column",
        "Reach and engagement of every post, by network and campaign, and the deals your posts "
        "helped win will be shown here.",
    )
