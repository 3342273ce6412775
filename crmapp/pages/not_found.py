"""The app's own page for an address that leads nowhere."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.pages.tenancy.auth import auth_card


def not_found_page() -> rx.Component:
    """Say so plainly and offer the way back."""
    return auth_card(
        "Page not found",
        "There is nothing at this address. The link may be mistyped, or the page has moved.",
        rx.link(
            rx.button(rx.icon("arrow-left", size=16), "Back to Tandem", width="100%"),
            href=routes.HOME,
            width="100%",
            id="not-found-home",
        ),
    )
