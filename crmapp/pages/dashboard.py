"""The dashboard: where a rep lands after logging in."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.state.dashboard import DashboardState


def stat(label: str, value: rx.Var, id: str, prefix: str = "") -> rx.Component:  # noqa: A002
    """One headline number."""
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color=rx.color("gray", 11)),
            rx.heading(prefix, value, size="7", id=id),
            spacing="1",
        ),
        width="100%",
    )


def dashboard_page() -> rx.Component:
    """Pipeline headline numbers and next steps."""
    return app_shell(
        "Dashboard",
        rx.vstack(
            rx.heading(
                "Welcome, ", DashboardState.user_name, size="5", id="dashboard-title"
            ),
            rx.text(
                "Here is how ",
                DashboardState.org_name,
                " is doing.",
                color=rx.color("gray", 11),
            ),
            rx.grid(
                stat("Contacts", DashboardState.contacts, "stat-contacts"),
                stat("Open deals", DashboardState.open_deals, "stat-open-deals"),
                stat(
                    "Open pipeline", DashboardState.open_value, "stat-open-value", "$"
                ),
                stat("Won", DashboardState.won_value, "stat-won-value", "$"),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                DashboardState.loaded & (DashboardState.contacts == 0),
                empty_state(
                    "users",
                    "Add your first contact",
                    "Tandem ties proposals and social posts to your customers. Start by adding "
                    "the people you sell to.",
                    rx.link(rx.button("Go to contacts"), href=routes.CONTACTS),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
