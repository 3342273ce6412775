"""Pages that later issues build; each says so."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import placeholder_page


def composer_page() -> rx.Component:
    """Social composer."""
    return placeholder_page(
        "Composer",
        "pen-line",
        "Write one post for X, LinkedIn, Facebook, Instagram, Mastodon and Bluesky.",
        "Social publishing",
    )


def calendar_page() -> rx.Component:
    """Social calendar."""
    return placeholder_page(
        "Calendar",
        "calendar-days",
        "Drag posts across a time-zone-aware calendar.",
        "Social publishing",
    )


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
