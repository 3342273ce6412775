"""The dashboard: where a rep lands after logging in."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.state.crm.dashboard import DashboardState


def stat(label: str, value: rx.Var, id: str, prefix: str = "") -> rx.Component:
    """One headline number."""
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color=rx.color("gray", 11)),
            rx.heading(prefix, value, size="7", id=id),
            spacing="1",
        ),
        width="100%",
    )


def _step(icon: str, title: str, text: str, href: str, id: str, done: str) -> rx.Component:
    """One next step; `done` names its flag in `DashboardState.steps` (ticked when done)."""
    finished = DashboardState.steps[done]
    return rx.link(
        rx.card(
            rx.hstack(
                rx.cond(
                    finished,
                    rx.icon("circle-check", size=20, color=rx.color("green", 9)),
                    rx.icon(icon, size=20, color=rx.color("accent", 9)),
                ),
                rx.vstack(
                    rx.hstack(
                        rx.text(title, weight="medium"),
                        rx.cond(
                            finished,
                            rx.badge(
                                "Done", color_scheme="green", variant="soft", class_name="step-done"
                            ),
                        ),
                        align="center",
                    ),
                    rx.text(text, size="2", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                align="start",
            ),
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href=href,
        underline="none",
        color="inherit",
        id=id,
        width="100%",
    )


def getting_started() -> rx.Component:
    """Next steps for a new workspace, by what the role can do."""
    return rx.vstack(
        rx.heading("Next steps", size="3"),
        rx.grid(
            rx.cond(
                DashboardState.can_write,
                _step(
                    "users",
                    "Add your contacts",
                    "The people you sell to: deals, proposals and posts link to them.",
                    routes.CONTACTS,
                    "step-contacts",
                    "contacts",
                ),
                _step(
                    "users",
                    "Browse your contacts",
                    "You have view access: ask an Admin if you need to edit.",
                    routes.CONTACTS,
                    "step-contacts",
                    "contacts",
                ),
            ),
            rx.cond(
                DashboardState.can_admin,
                _step(
                    "user-plus",
                    "Invite your team",
                    "Send a link with the role each person needs.",
                    routes.SETTINGS,
                    "step-invite",
                    "team",
                ),
                _step(
                    "settings",
                    "Set your time zone",
                    "Every time in Tandem is shown in your zone.",
                    routes.SETTINGS,
                    "step-timezone",
                    "timezone",
                ),
            ),
            rx.cond(
                DashboardState.can_write,
                _step(
                    "file-text",
                    "Write a proposal",
                    "Draft one from a deal and everything the CRM knows, then send and sign it.",
                    routes.PROPOSALS,
                    "step-proposals",
                    "proposal",
                ),
                _step(
                    "file-text",
                    "Read your proposals",
                    "Every proposal with its status: sent, viewed, signed, paid.",
                    routes.PROPOSALS,
                    "step-proposals",
                    "proposal",
                ),
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
        ),
        width="100%",
        spacing="2",
    )


def dashboard_page() -> rx.Component:
    """Pipeline headline numbers and next steps."""
    return app_shell(
        "Dashboard",
        rx.vstack(
            rx.heading("Welcome, ", DashboardState.user_name, size="5", id="dashboard-title"),
            rx.text(
                "Here is how ",
                DashboardState.org_name,
                " is doing.",
                color=rx.color("gray", 11),
            ),
            rx.grid(
                stat("Contacts", DashboardState.contacts, "stat-contacts"),
                stat("Open deals", DashboardState.open_deals, "stat-open-deals"),
                stat("Open pipeline", DashboardState.open_value, "stat-open-value", "$"),
                stat("Won", DashboardState.won_value, "stat-won-value", "$"),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="4",
                width="100%",
            ),
            rx.grid(
                rx.card(
                    rx.heading("Open pipeline by stage", size="3"),
                    rx.plotly.basic(
                        data=DashboardState.chart,
                        id="stage-chart",
                        config={"displayModeBar": False},
                    ),
                    width="100%",
                ),
                rx.vstack(
                    rx.grid(
                        stat("Won this month", DashboardState.won, "stat-won-month"),
                        stat("Lost this month", DashboardState.lost, "stat-lost-month"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    rx.card(
                        rx.heading("Due today", size="3"),
                        rx.cond(
                            DashboardState.due_today.length() == 0,
                            rx.text(
                                "Nothing due. Tasks you set on contacts appear here.",
                                size="2",
                                color="gray",
                                id="due-empty",
                            ),
                            rx.vstack(
                                rx.foreach(
                                    DashboardState.due_today,
                                    lambda t: rx.hstack(
                                        rx.icon("square-check", size=14),
                                        rx.link(
                                            t["subject"], href=t["href"], class_name="due-task"
                                        ),
                                        rx.spacer(),
                                        rx.badge(
                                            t["due"],
                                            color_scheme=rx.cond(
                                                t["overdue"] == "yes", "red", "gray"
                                            ),
                                        ),
                                        width="100%",
                                        align="center",
                                    ),
                                ),
                                width="100%",
                            ),
                        ),
                        width="100%",
                    ),
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            getting_started(),
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
