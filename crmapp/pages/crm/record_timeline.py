"""A record page's timeline entries, and the form that corrects a logged activity (what it was
about, when it happened)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.components.ui import label


def _error(errors: rx.Var, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], size="1", color=rx.color("red", 11), role="alert"),
    )


def activity_edit_form(S: Any, item: rx.Var) -> rx.Component:
    """Correct an activity: subject, details, and (not for a task) when it happened."""
    errors = S.edit_errors
    return rx.form(
        rx.vstack(
            rx.input(
                name="subject",
                default_value=item["title"],
                id="activity-edit-subject",
                aria_label="Subject",
                width="100%",
            ),
            _error(errors, "subject"),
            rx.text_area(
                name="body",
                default_value=item["detail"],
                id="activity-edit-body",
                aria_label="Details",
                width="100%",
            ),
            rx.cond(
                item["occurred"] != "",
                rx.hstack(
                    label("When it happened", for_id="activity-edit-when", weight="regular"),
                    rx.input(
                        type="datetime-local",
                        name="occurred_at",
                        id="activity-edit-when",
                        default_value=item["occurred"],
                    ),
                    rx.text(S.timezone, size="1", color=rx.color("gray", 10)),
                    align="center",
                ),
            ),
            _error(errors, "occurred_at"),
            rx.hstack(
                rx.button("Save", type="submit", size="1", id="activity-edit-save"),
                rx.button(
                    "Cancel",
                    type="button",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.start_edit_activity(item["id"]),
                ),
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=S.save_activity,
        width="100%",
    )


def timeline_item(S: Any, item: rx.Var) -> rx.Component:
    """One entry: icon, title, details, who and when (for an activity: when it happened)."""
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
                rx.cond(
                    item["assignee"] != "",
                    rx.badge(item["assignee"], variant="outline", class_name="task-assignee"),
                ),
                rx.cond(
                    S.can_write & (item["kind"] != "change"),
                    rx.icon_button(
                        rx.icon("pencil", size=12),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=S.start_edit_activity(item["id"]),
                        aria_label="Edit " + item["title"],
                        title="Edit",
                    ),
                ),
                align="center",
            ),
            rx.cond(
                S.editing_activity == item["id"],
                activity_edit_form(S, item),
                rx.fragment(
                    rx.cond(
                        item["detail"] != "",
                        rx.text(item["detail"], size="2", white_space="pre-wrap"),
                    ),
                    rx.text(
                        item["who"],
                        " · ",
                        item["when"],
                        size="1",
                        color=rx.color("gray", 10),
                        class_name="timeline-when",
                    ),
                ),
            ),
            spacing="1",
            width="100%",
        ),
        align="start",
        spacing="3",
        class_name="timeline-item",
        width="100%",
    )
