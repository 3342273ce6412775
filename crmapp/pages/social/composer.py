"""The social composer: `/social/composer` (a new post) and `/social/posts/<id>` (the same
editor for a saved post, plus its review, comments and per-account status)."""

from __future__ import annotations

from zoneinfo import available_timezones

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.social_media import media_panel
from crmapp.components.social_parts import (
    SELECT_STYLE,
    account_chip,
    assist_bar,
    assist_suggestion,
    count_row,
    meta_fields,
    status_list,
    variant_tabs,
)
from crmapp.components.ui import form_error
from crmapp.pages.social.composer_side import comments, previews
from crmapp.state.social.composer import ComposerState as S

ZONES = [
    *sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    ),
    "UTC",
]


def header() -> rx.Component:
    """Title, state, author, review note, and a read-only notice."""
    return rx.vstack(
        rx.hstack(
            rx.cond(S.is_new, rx.heading("New post", size="5"), rx.heading("Post", size="5")),
            rx.cond(
                S.post_state != "", rx.badge(S.post_state_label, size="2", id="social-post-state")
            ),
            rx.cond(S.author != "", rx.text("by ", S.author, size="2", color="gray")),
            rx.spacer(),
            rx.link(
                rx.button(rx.icon("calendar-days", size=14), "Queue", variant="soft"),
                href=routes.SOCIAL_CALENDAR,
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            S.review_note != "",
            rx.callout(
                rx.text("Reviewer: ", S.review_note),
                icon="message-square-warning",
                color_scheme=rx.cond(S.post_state == "rejected", "red", "blue"),
                size="1",
                width="100%",
                id="social-review-note",
            ),
        ),
        rx.cond(
            ~S.can_write,
            rx.callout(
                "You can read this post; your role cannot change it.",
                icon="eye",
                size="1",
                color_scheme="gray",
                width="100%",
                id="social-read-only",
            ),
        ),
        rx.cond(
            S.can_write & ~S.post_editable,
            rx.callout(
                "This post has started publishing: it can no longer be edited.",
                icon="lock",
                size="1",
                color_scheme="gray",
                width="100%",
            ),
        ),
        form_error(S.error, id="social-error"),
        width="100%",
        spacing="2",
    )


def editor() -> rx.Component:
    """Accounts, main text, counts, variants, media, links."""
    return rx.vstack(
        rx.text("Post to", weight="bold", size="2"),
        rx.cond(
            S.accounts.length() == 0,
            rx.callout(
                rx.text(
                    "No accounts are connected yet. ",
                    rx.link("Connect one", href=routes.SOCIAL_ACCOUNTS),
                    ".",
                ),
                icon="plug",
                size="1",
                width="100%",
                id="social-no-accounts",
            ),
            rx.hstack(
                rx.foreach(S.accounts, account_chip), wrap="wrap", spacing="2", id="social-chips"
            ),
        ),
        rx.cond(
            S.field_errors.contains("accounts"),
            rx.text(S.field_errors["accounts"], size="1", color=rx.color("red", 11)),
        ),
        rx.text_area(
            default_value=S.text,
            key=S.form_key,
            on_change=S.set_text,
            on_key_down=S.key_down,
            placeholder="What do you want to say? (Ctrl/Cmd+Enter saves)",
            read_only=~S.editable,
            id="social-text",
            rows="7",
            width="100%",
            aria_label="Post text",
        ),
        assist_bar(),
        assist_suggestion(),
        rx.vstack(rx.foreach(S.previews, count_row), width="100%", spacing="1", id="social-counts"),
        variant_tabs(),
        media_panel(),
        meta_fields(),
        width="100%",
        spacing="3",
    )


def schedule_form() -> rx.Component:
    """Date + time in a zone, shown in each chosen account's zone; DST errors inline."""
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.text("When", weight="bold", size="2"),
                rx.cond(
                    S.scheduled_text != "",
                    rx.text(
                        "Scheduled for ",
                        S.scheduled_text,
                        size="1",
                        color="gray",
                        id="social-scheduled-at",
                    ),
                ),
                align="center",
                spacing="2",
            ),
            rx.hstack(
                rx.input(
                    type="date",
                    name="date",
                    default_value=S.sched_date,
                    key=S.form_key,
                    on_change=lambda v: S.set_schedule_field("sched_date", v),
                    aria_label="Date",
                    id="social-schedule-date",
                    read_only=~S.editable,
                ),
                rx.input(
                    type="time",
                    name="time",
                    default_value=S.sched_time,
                    key=S.form_key,
                    on_change=lambda v: S.set_schedule_field("sched_time", v),
                    aria_label="Time",
                    id="social-schedule-time",
                    read_only=~S.editable,
                ),
                rx.el.select(
                    *[rx.el.option(z, value=z) for z in ZONES],
                    name="timezone",
                    default_value=S.sched_tz,
                    key=S.form_key,
                    on_change=lambda v: S.set_schedule_field("sched_tz", v),
                    aria_label="Time zone",
                    id="social-schedule-tz",
                    disabled=~S.editable,
                    style={**SELECT_STYLE, "width": "220px"},
                ),
                wrap="wrap",
                align="center",
                spacing="2",
            ),
            rx.cond(
                S.sched_hint != "",
                rx.text(S.sched_hint, size="1", color="gray", id="social-schedule-hint"),
            ),
            rx.cond(
                S.sched_error != "",
                rx.text(
                    S.sched_error, size="1", color=rx.color("red", 11), id="social-schedule-error"
                ),
            ),
            rx.cond(
                S.editable,
                rx.hstack(
                    rx.button(
                        rx.icon("calendar-clock", size=14),
                        "Schedule",
                        type="submit",
                        id="social-schedule",
                    ),
                    rx.cond(
                        S.scheduled_text != "",
                        rx.button(
                            "Clear time",
                            type="button",
                            variant="ghost",
                            on_click=S.clear_schedule,
                            id="social-schedule-clear",
                        ),
                    ),
                ),
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=S.schedule,
    )


def actions() -> rx.Component:
    """Save, submit for review or publish; approve / reject for reviewers."""
    return rx.vstack(
        rx.cond(
            S.editable,
            rx.hstack(
                rx.button(
                    rx.icon("save", size=14),
                    "Save draft",
                    on_click=S.save,
                    variant="soft",
                    id="social-save",
                ),
                rx.cond(
                    S.approvals_required,
                    rx.button(
                        rx.icon("send", size=14),
                        "Submit for review",
                        on_click=S.submit_review,
                        id="social-submit",
                        disabled=S.in_review & ~S.dirty,
                    ),
                ),
                rx.cond(
                    ~S.approvals_required | S.ready_to_publish,
                    rx.button(
                        rx.icon("zap", size=14),
                        "Publish now",
                        on_click=S.publish_now,
                        color_scheme="green",
                        id="social-publish-now",
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
        ),
        rx.cond(
            S.editable & S.edit_resets,
            rx.text(
                "Saving your changes sends this post back to draft: it needs to be "
                "submitted (and approved) again.",
                size="1",
                color=rx.color("amber", 11),
                id="social-edit-warning",
            ),
        ),
        rx.cond(
            S.in_review & S.can_approve,
            rx.form(
                rx.vstack(
                    rx.text("Review", weight="bold", size="2"),
                    rx.cond(
                        S.sched_hint != "",
                        rx.text(
                            "On approval it goes out ",
                            S.sched_hint,
                            ". Change it under When first if it should go out at another time.",
                            size="1",
                        ),
                        rx.text(
                            "No time is set. Pick one under When to schedule it on approval, "
                            "or approve it now and publish it by hand.",
                            size="1",
                            color=rx.color("amber", 11),
                        ),
                    ),
                    rx.text_area(
                        name="reason",
                        placeholder="Reason (required to reject)",
                        id="social-reject-reason",
                        rows="2",
                        width="100%",
                    ),
                    rx.cond(
                        S.reject_error != "",
                        rx.text(S.reject_error, size="1", color=rx.color("red", 11)),
                    ),
                    rx.hstack(
                        rx.button(
                            rx.icon("check", size=14),
                            "Approve",
                            type="button",
                            color_scheme="green",
                            on_click=S.approve,
                            id="social-approve",
                        ),
                        rx.button(
                            rx.icon("x", size=14),
                            "Reject",
                            type="submit",
                            color_scheme="red",
                            variant="soft",
                            id="social-reject",
                        ),
                    ),
                    width="100%",
                    spacing="2",
                ),
                on_submit=S.reject,
                reset_on_submit=True,
                width="100%",
                id="social-review",
            ),
        ),
        width="100%",
        spacing="3",
    )


def composer_page() -> rx.Component:
    """The composer (new post or saved post)."""
    return app_shell(
        "Composer",
        rx.cond(
            S.missing != "",
            rx.callout(S.missing, icon="file-x", color_scheme="red", id="social-missing"),
            rx.cond(
                ~S.loaded,
                rx.center(rx.spinner(size="3"), padding="3em"),
                rx.vstack(
                    header(),
                    rx.cond(S.in_review & S.can_approve, previews()),
                    rx.flex(
                        rx.vstack(
                            editor(),
                            schedule_form(),
                            actions(),
                            status_list(),
                            width="100%",
                            spacing="4",
                            min_width="0",
                            flex="3",
                        ),
                        rx.vstack(
                            rx.cond(~(S.in_review & S.can_approve), previews()),
                            comments(),
                            width="100%",
                            spacing="3",
                            min_width="280px",
                            flex="2",
                        ),
                        spacing="5",
                        width="100%",
                        align="start",
                        direction={"initial": "column", "md": "row"},
                    ),
                    width="100%",
                    spacing="4",
                    class_name="social-composer",
                ),
            ),
        ),
    )
