"""The social queue: upcoming posts first, then drafts and those in review, then recent ones,
grouped by day in the user's zone."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.services.social.post_views import STATE_LABELS
from crmapp.state.social.calendar import QueueState as S

SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "200px",
}


def write_button() -> rx.Component:
    """Go to the composer."""
    return rx.link(
        rx.button(
            rx.icon("pen-line", size=14), "Write a post", id="social-write", disabled=~S.can_write
        ),
        href=routes.SOCIAL_COMPOSER,
    )


def post_row(r: rx.Var) -> rx.Component:
    """One post: time, networks, text, state."""
    return rx.link(
        rx.hstack(
            rx.text(r["time"], size="2", weight="bold", min_width="48px"),
            rx.vstack(
                rx.text(r["text"], size="2", class_name="queue-text", width="100%"),
                rx.text(
                    r["networks"],
                    " · ",
                    r["handles"],
                    rx.cond(r["campaign"] != "", rx.text.span(" · ", r["campaign"])),
                    size="1",
                    color="gray",
                ),
                spacing="0",
                min_width="0",
                flex="1",
                overflow="hidden",
            ),
            rx.badge(r["state_label"], color_scheme=r["color"], variant="soft"),
            align="center",
            width="100%",
            spacing="3",
        ),
        href=r["href"],
        underline="none",
        color="inherit",
        class_name="queue-row",
        display="block",
        width="100%",
        id="social-queue-" + r["id"],
        custom_attrs={"data-state": r["state"]},
    )


def day_group(d: rx.Var) -> rx.Component:
    """The posts of one day."""
    return rx.vstack(
        rx.text(d.day, size="1", weight="bold", color="gray", class_name="queue-day"),
        rx.foreach(d.rows, post_row),
        width="100%",
        spacing="1",
    )


def section(s: rx.Var) -> rx.Component:
    """Upcoming, drafts and in review, or recent."""
    return rx.card(
        rx.heading(s.title, size="3"),
        rx.vstack(rx.foreach(s.days, day_group), width="100%", spacing="3"),
        width="100%",
        id="social-queue-" + s.key,
        class_name="queue-section",
    )


def calendar_page() -> rx.Component:
    """The queue with its filter and Load more."""
    return app_shell(
        "Calendar",
        rx.vstack(
            rx.hstack(
                rx.el.select(
                    rx.el.option("All states", value="all"),
                    *[
                        rx.el.option(label.capitalize(), value=state)
                        for state, label in STATE_LABELS.items()
                    ],
                    on_change=S.filter_state,
                    aria_label="State",
                    id="social-queue-filter",
                    style=SELECT_STYLE,
                ),
                rx.spacer(),
                write_button(),
                width="100%",
            ),
            rx.moment(interval=30_000, on_change=S.refresh, display="none"),
            rx.cond(
                S.loaded & (S.sections.length() == 0),
                empty_state(
                    "calendar-days",
                    "Nothing in the queue",
                    rx.cond(
                        S.state_filter != "",
                        "No post is in that state.",
                        "Write a post once and send it to every network you "
                        "connected; scheduled posts appear here by day.",
                    ),
                    write_button(),
                ),
                rx.vstack(rx.foreach(S.sections, section), width="100%", spacing="3"),
            ),
            rx.cond(
                S.more,
                rx.button(
                    "Load more", variant="soft", on_click=S.load_more, id="social-queue-more"
                ),
            ),
            width="100%",
            spacing="3",
        ),
    )
