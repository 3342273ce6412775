"""Proposals: every proposal with its status, and the new-proposal dialog."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, form_error, pager
from crmapp.models.proposals import PROPOSAL_STATUSES, VOICES
from crmapp.state.proposals.listing import ProposalsState as S

SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
}


def new_dialog() -> rx.Component:
    """Deal, template, voice, title."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New proposal"),
            rx.form(
                rx.vstack(
                    rx.text("Deal", size="2", weight="medium"),
                    rx.el.select(
                        rx.el.option("Choose a deal…", value=""),
                        rx.foreach(
                            S.deal_choices, lambda d: rx.el.option(d["name"], value=d["id"])
                        ),
                        name="deal_id",
                        default_value=S.chosen_deal,
                        aria_label="Deal",
                        id="new-deal",
                        style=SELECT_STYLE,
                        key=S.chosen_deal,
                    ),
                    rx.text("Template", size="2", weight="medium"),
                    rx.el.select(
                        rx.foreach(
                            S.template_choices, lambda t: rx.el.option(t["name"], value=t["id"])
                        ),
                        name="template_id",
                        aria_label="Template",
                        id="new-template",
                        style=SELECT_STYLE,
                    ),
                    rx.text("Voice", size="2", weight="medium"),
                    rx.el.select(
                        *[rx.el.option(v.title(), value=v) for v in VOICES],
                        name="voice",
                        default_value="consultative",
                        aria_label="Voice",
                        id="new-voice",
                        style=SELECT_STYLE,
                    ),
                    rx.text("Title (optional)", size="2", weight="medium"),
                    rx.input(
                        name="title",
                        placeholder="Template name: deal title",
                        width="100%",
                        aria_label="Title",
                        id="new-title",
                    ),
                    form_error(S.error, id="new-error"),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Create draft", type="submit", id="new-create"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.create,
            ),
        ),
        open=S.dialog_open,
        on_open_change=S.set_dialog_open,
    )


def row(r: rx.Var) -> rx.Component:
    """One proposal."""
    return rx.table.row(
        rx.table.cell(rx.link(r["title"], href=routes.proposal(r["id"]), weight="medium")),
        rx.table.cell(rx.link(r["deal"], href=routes.deal(r["deal_id"]), size="2")),
        rx.table.cell(rx.badge(r["status"], variant="soft")),
        rx.table.cell(rx.cond(r["approval"] != "none", rx.text(r["approval"], size="1"))),
        rx.table.cell(r["total"], text_align="right"),
        rx.table.cell(rx.text(r["updated_at"], size="1", color="gray")),
        class_name="proposal-row",
    )


def proposals_page() -> rx.Component:
    """List + dialog."""
    return app_shell(
        "Proposals",
        rx.vstack(
            rx.cond(
                S.budget_level != "ok",
                rx.callout(
                    rx.text("AI budget: ", S.budget_text, "."),
                    icon="gauge",
                    color_scheme=rx.cond(S.budget_level == "over", "red", "amber"),
                    id="budget-banner",
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.el.select(
                    rx.el.option("All statuses", value="all"),
                    *[rx.el.option(s.title(), value=s) for s in PROPOSAL_STATUSES],
                    on_change=S.filter_status,
                    id="status-filter",
                    aria_label="Status",
                    style={**SELECT_STYLE, "width": "180px"},
                ),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("layout-template", size=14), "Templates", variant="soft"),
                    href=routes.TEMPLATES,
                ),
                rx.link(
                    rx.button(rx.icon("library", size=14), "Knowledge base", variant="soft"),
                    href=routes.KNOWLEDGE,
                ),
                rx.button(
                    rx.icon("plus", size=14),
                    "New proposal",
                    on_click=S.open_dialog(""),
                    disabled=~S.can_write,
                    id="new-proposal",
                ),
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                S.rows.length() == 0,
                empty_state(
                    "file-text",
                    "No proposals yet",
                    "Open a deal and write a proposal from everything the CRM knows "
                    "about it: pick a template and a voice, and watch it appear.",
                    rx.button("New proposal", on_click=S.open_dialog(""), disabled=~S.can_write),
                ),
                rx.vstack(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in (
                                        "Title",
                                        "Deal",
                                        "Status",
                                        "Approval",
                                        "Total",
                                        "Updated",
                                    )
                                ],
                            )
                        ),
                        rx.table.body(rx.foreach(S.rows, row)),
                        width="100%",
                        variant="surface",
                    ),
                    pager(
                        S.page,
                        S.pages,
                        S.total,
                        S.prev_page,
                        S.next_page,
                        "proposals",
                        one="proposal",
                    ),
                    width="100%",
                ),
            ),
            new_dialog(),
            width="100%",
            spacing="3",
        ),
    )
