"""A contact's page: header, related deals, quick-add activity, timeline."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.models.crm import ACTIVITY_KINDS
from crmapp.state.record import ContactRecordState as S


def header() -> rx.Component:
    """Name and key fields."""
    c = S.contact
    return rx.card(
        rx.hstack(
            rx.avatar(fallback=c["name"].to(str)[:2], size="5", radius="full"),
            rx.vstack(
                rx.heading(c["name"], size="6", id="record-name"),
                rx.text(
                    c["title"],
                    rx.cond(c["company"] != "", " · " + c["company"], ""),
                    color=rx.color("gray", 11),
                ),
                rx.hstack(
                    rx.cond(
                        c["email"] != "",
                        rx.link(rx.icon("mail", size=14), c["email"], href="mailto:" + c["email"]),
                    ),
                    rx.cond(c["phone"] != "", rx.text(rx.icon("phone", size=14), c["phone"])),
                    spacing="4",
                ),
                spacing="1",
            ),
            spacing="4",
            align="center",
        ),
        width="100%",
    )


def quick_add() -> rx.Component:
    """Log a note, call, meeting, email or task."""
    errors = S.field_errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.segmented_control.root(
                    *[rx.segmented_control.item(k.title(), value=k) for k in ACTIVITY_KINDS],
                    value=S.kind,
                    on_change=S.set_kind,
                    id="activity-kind",
                ),
                rx.input(
                    name="subject",
                    placeholder="What happened?",
                    id="activity-subject",
                    width="100%",
                ),
                rx.cond(
                    errors.contains("subject"),
                    rx.text(errors["subject"], size="1", color=rx.color("red", 11)),
                ),
                rx.text_area(
                    name="body", placeholder="Details (optional)", id="activity-body", width="100%"
                ),
                rx.cond(
                    S.kind == "task",
                    rx.hstack(
                        rx.text("Due", size="2"),
                        rx.input(type="datetime-local", name="due_at", id="activity-due"),
                        align="center",
                    ),
                ),
                rx.button("Log it", type="submit", id="activity-save", disabled=~S.can_write),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=S.add_activity,
            reset_on_submit=True,
        ),
        width="100%",
    )


def timeline_item(item: rx.Var) -> rx.Component:
    """One entry: icon, title, details, who and when."""
    return rx.hstack(
        rx.icon(item["icon"], size=16, color=rx.color("gray", 10)),
        rx.vstack(
            rx.hstack(
                rx.text(item["title"], weight="medium", class_name="timeline-title"),
                rx.cond(
                    item["kind"] == "task",
                    rx.checkbox(
                        checked=item["done"] == "yes",
                        disabled=~S.can_write,
                        on_change=lambda v: S.toggle_done(item["id"], v),
                    ),
                ),
                rx.cond(item["due"] != "", rx.badge("due ", item["due"], variant="soft")),
                align="center",
            ),
            rx.cond(
                item["detail"] != "", rx.text(item["detail"], size="2", white_space="pre-wrap")
            ),
            rx.text(item["who"], " · ", item["when"], size="1", color=rx.color("gray", 10)),
            spacing="1",
        ),
        align="start",
        spacing="3",
        class_name="timeline-item",
        width="100%",
    )


def contact_record_page() -> rx.Component:
    """The page."""
    return app_shell(
        "Contact",
        rx.cond(
            S.found,
            rx.grid(
                rx.vstack(
                    header(),
                    quick_add(),
                    rx.heading("Timeline", size="4"),
                    rx.vstack(
                        rx.foreach(S.timeline, timeline_item),
                        spacing="4",
                        width="100%",
                        id="timeline",
                    ),
                    width="100%",
                    spacing="4",
                ),
                rx.vstack(
                    rx.heading("Deals", size="4"),
                    rx.cond(
                        S.deals.length() == 0,
                        rx.text("No deals yet.", size="2", color="gray"),
                        rx.foreach(
                            S.deals,
                            lambda d: rx.card(
                                rx.text(d["title"], weight="medium"),
                                rx.text(d["value"], " · ", d["stage"], size="2", color="gray"),
                                width="100%",
                            ),
                        ),
                    ),
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="3fr 1fr"),
                spacing="5",
                width="100%",
            ),
            empty_state(
                "user-x",
                "Contact not found",
                "It may have been deleted, or the link is wrong.",
                rx.link(rx.button("Back to contacts"), href=routes.CONTACTS),
            ),
        ),
    )
