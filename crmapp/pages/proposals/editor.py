"""The proposal editor: write, edit, re-prompt, review, send, follow views, signature, PDF."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.proposal_parts import (
    pricing_table,
    section_card,
    status_badges,
    stream_panel,
)
from crmapp.components.shell import app_shell
from crmapp.components.ui import form_error
from crmapp.models.proposals import VOICES
from crmapp.pages.proposals.editor_send import send_dialog
from crmapp.pages.proposals.editor_side import share_box, side_panel
from crmapp.state.proposals.editor import ProposalState as S


def banners() -> rx.Component:
    """Offline drafter, budget, errors, requested changes."""
    return rx.vstack(
        rx.cond(
            S.offline_only,
            rx.callout(
                "No AI provider is configured: drafts are written by Tandem's offline drafter "
                "from your template, the deal and your knowledge base.",
                icon="cpu",
                color_scheme="gray",
                size="1",
                id="offline-notice",
                width="100%",
            ),
        ),
        rx.cond(
            S.budget_level == "warn",
            rx.callout(
                rx.text("AI budget at 80% or more: ", S.budget_text, "."),
                icon="gauge",
                color_scheme="amber",
                id="budget-banner",
                width="100%",
            ),
        ),
        rx.cond(
            S.budget_level == "over",
            rx.callout(
                rx.text(
                    "This month's AI budget is spent (",
                    S.budget_text,
                    "): drafts use the smaller model, or stop where your organisation chose so.",
                ),
                icon="octagon-alert",
                color_scheme="red",
                id="budget-banner",
                width="100%",
            ),
        ),
        form_error(S.error, id="proposal-error"),
        rx.cond(
            S.doc["generation"] == "failed",
            rx.callout(
                S.doc["generation_error"],
                icon="circle-x",
                color_scheme="orange",
                size="1",
                id="generation-error",
                width="100%",
            ),
        ),
        rx.cond(
            S.removed.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text(
                        "Removed from the draft because it quoted internal facts:",
                        weight="medium",
                    ),
                    rx.foreach(
                        S.removed,
                        lambda r: rx.text("“", r["text"], "” — ", r["source"], size="1"),
                    ),
                    spacing="1",
                ),
                icon="shield-check",
                color_scheme="gray",
                size="1",
                id="removed-internal",
                width="100%",
            ),
        ),
        rx.cond(
            S.doc["approval"] == "changes_requested",
            rx.callout(
                rx.text("Changes requested: ", S.doc["approval_note"]),
                icon="message-square-warning",
                color_scheme="amber",
                width="100%",
                id="changes-requested",
            ),
        ),
        width="100%",
        spacing="2",
    )


def write_form() -> rx.Component:
    """Pick a voice and write the whole draft."""
    return rx.form(
        rx.hstack(
            rx.el.select(
                *[rx.el.option(v.title(), value=v) for v in VOICES],
                name="voice",
                default_value=S.doc["voice"],
                id="voice",
                aria_label="Voice",
                class_name="rt-reset",
                style={
                    "padding": "0.35em",
                    "border_radius": "6px",
                    "border": "1px solid var(--gray-7)",
                },
            ),
            rx.button(rx.icon("sparkles", size=14), "Write draft", type="submit", id="generate"),
            align="center",
        ),
        on_submit=S.generate,
    )


def actions() -> rx.Component:
    """What can be done in the proposal's state."""
    d = S.doc
    status = d["status"]
    return rx.hstack(
        rx.cond(
            (status == "draft") & S.can_write & ~S.running,
            rx.hstack(
                write_form(),
                rx.button(
                    "Submit for review",
                    variant="soft",
                    on_click=S.submit_review,
                    id="submit-review",
                ),
                send_dialog(),
                wrap="wrap",
            ),
        ),
        rx.cond(
            (status == "review") & S.can_approve & (d["approval"] == "pending"),
            rx.hstack(
                rx.button(
                    rx.icon("check", size=14),
                    "Approve",
                    color_scheme="green",
                    on_click=S.approve,
                    id="approve",
                ),
                rx.popover.root(
                    rx.popover.trigger(
                        rx.button(
                            "Request changes",
                            variant="soft",
                            color_scheme="amber",
                            id="request-changes",
                        )
                    ),
                    rx.popover.content(
                        rx.form(
                            rx.vstack(
                                rx.text_area(
                                    name="note",
                                    placeholder="What should change?",
                                    id="changes-note",
                                ),
                                rx.button(
                                    "Send back to draft",
                                    type="submit",
                                    size="1",
                                    id="changes-submit",
                                ),
                            ),
                            on_submit=S.request_changes,
                        )
                    ),
                ),
            ),
        ),
        rx.cond(
            (status == "review") & S.can_write,
            rx.hstack(
                rx.cond(d["approval"] == "approved", send_dialog()),
                rx.button(
                    "Withdraw",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.withdraw,
                    id="withdraw",
                ),
            ),
        ),
        rx.cond(
            (status == "sent") & S.can_write,
            rx.hstack(
                rx.button(
                    rx.icon("link", size=14),
                    "New link",
                    variant="soft",
                    on_click=S.new_link,
                    id="new-link",
                ),
                rx.button(
                    "Recall to edit",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.recall,
                    id="recall",
                ),
            ),
        ),
        rx.cond(
            (status == "signed") & S.can_approve,
            rx.button(
                rx.icon("banknote", size=14),
                "Mark paid",
                color_scheme="green",
                on_click=S.mark_paid,
                id="mark-paid",
            ),
        ),
        rx.spacer(),
        rx.button(
            rx.icon("file-down", size=14),
            "PDF",
            variant="outline",
            on_click=S.download_pdf,
            id="download-pdf",
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )


def add_section_form() -> rx.Component:
    """Append a section to the document."""
    return rx.cond(
        S.editable,
        rx.form(
            rx.hstack(
                rx.input(
                    name="title",
                    placeholder="New section title",
                    size="1",
                    aria_label="New section title",
                ),
                rx.button(
                    rx.icon("plus", size=12),
                    "Add section",
                    size="1",
                    variant="soft",
                    type="submit",
                    id="add-section",
                ),
            ),
            on_submit=S.add_section,
            reset_on_submit=True,
        ),
    )


def proposal_page() -> rx.Component:
    """The editor."""
    d = S.doc
    return app_shell(
        "Proposal",
        rx.cond(
            S.missing != "",
            rx.callout(S.missing, icon="file-x", color_scheme="red", id="proposal-missing"),
            rx.cond(
                ~S.loaded,
                rx.center(rx.spinner(size="3"), padding="3em"),
                rx.vstack(
                    rx.hstack(
                        rx.vstack(
                            rx.cond(
                                S.editable,
                                rx.form(
                                    rx.input(
                                        name="title",
                                        default_value=d["title"],
                                        size="3",
                                        id="proposal-title-input",
                                        key=d["title"],
                                        aria_label="Proposal title",
                                        min_width=["0", "0", "420px"],
                                        width="100%",
                                    ),
                                    on_submit=S.save_title,
                                ),
                                rx.heading(d["title"], size="6", id="proposal-title"),
                            ),
                            rx.text(
                                rx.link(d["deal"], href=routes.deal(d["deal_id"]), id="deal-link"),
                                " · ",
                                d["template"],
                                " · ",
                                d["voice"],
                                " voice · updated ",
                                d["updated_at"],
                                size="2",
                                color="gray",
                            ),
                            spacing="1",
                        ),
                        rx.spacer(),
                        status_badges(),
                        width="100%",
                        align="start",
                        wrap="wrap",
                    ),
                    banners(),
                    actions(),
                    share_box(),
                    rx.flex(  # the side panel goes under the text on narrow screens
                        rx.vstack(
                            rx.cond(S.running & (S.writing_section == -1), stream_panel()),
                            rx.foreach(S.sections, section_card),
                            add_section_form(),
                            pricing_table(),
                            width="100%",
                            spacing="3",
                            min_width="0",
                        ),
                        side_panel(),
                        direction=rx.breakpoints(initial="column", md="row"),
                        width="100%",
                        align="start",
                        spacing="4",
                    ),
                    width="100%",
                    spacing="3",
                ),
            ),
        ),
    )
