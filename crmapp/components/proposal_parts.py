"""Pieces of the proposal editor: sections with rich text and re-prompt, the diff, pricing."""

from __future__ import annotations

import reflex as rx

from crmapp.components.richtext import rich_text_editor
from crmapp.state.proposals.editor import ProposalState as S

OP_STYLE = {
    "insert": {"background": "var(--green-a4)", "color": "var(--green-12)"},
    "delete": {"background": "var(--red-a4)", "text_decoration": "line-through"},
}


def status_badges() -> rx.Component:
    """The three state machines at a glance."""
    d = S.doc
    return rx.hstack(
        rx.badge(
            d["status"],
            color_scheme=rx.match(
                d["status"],
                ("signed", "green"),
                ("paid", "green"),
                ("sent", "blue"),
                ("review", "amber"),
                ("declined", "red"),
                ("expired", "gray"),
                "gray",
            ),
            size="2",
            id="proposal-status",
        ),
        rx.cond(
            d["approval"] != "none",
            rx.badge(
                "approval: ",
                d["approval"],
                variant="soft",
                id="proposal-approval",
                color_scheme=rx.match(
                    d["approval"], ("approved", "green"), ("changes_requested", "red"), "amber"
                ),
            ),
        ),
        rx.cond(
            S.running,
            rx.badge(
                rx.spinner(size="1"),
                rx.cond(d["generation"] == "queued", "Starting…", "Writing…"),
                variant="outline",
                id="proposal-writing",
            ),
        ),
        rx.text("v", d["version"], size="1", color="gray"),
        spacing="2",
        align="center",
    )


def stream_panel() -> rx.Component:
    """The text arriving from the writer, token by token."""
    return rx.card(
        rx.hstack(
            rx.spinner(size="2"),
            rx.text(
                rx.cond(S.doc["generation"] == "queued", "Starting…", "Writing…"),
                weight="medium",
            ),
            rx.spacer(),
            rx.cond(
                S.can_write,
                rx.button(
                    rx.icon("square", size=14),
                    "Cancel",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.cancel,
                    id="cancel-generation",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.box(
            rx.markdown(S.stream_text), id="stream", class_name="proposal-stream", min_height="3em"
        ),
        width="100%",
    )


def diff_view() -> rx.Component:
    """The rewritten section against the current one, word by word."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("git-compare", size=16),
                rx.text("Rewritten: “", S.pending["instruction"], "”", weight="medium"),
                align="center",
            ),
            rx.box(
                rx.foreach(
                    S.diff,
                    lambda run: rx.el.span(
                        run["text"],
                        class_name="diff-" + run["op"],
                        style=rx.match(
                            run["op"],
                            ("insert", OP_STYLE["insert"]),
                            ("delete", OP_STYLE["delete"]),
                            {},
                        ),
                    ),
                ),
                white_space="pre-wrap",
                id="section-diff",
                line_height="1.7",
            ),
            rx.cond(
                S.can_write,
                rx.hstack(
                    rx.button(
                        rx.icon("check", size=14),
                        "Accept",
                        on_click=S.accept_pending,
                        id="accept-rewrite",
                    ),
                    rx.button(
                        rx.icon("x", size=14),
                        "Reject",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.reject_pending,
                        id="reject-rewrite",
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        border=f"1px solid {rx.color('accent', 7)}",
    )


def reprompt_form(index: rx.Var) -> rx.Component:
    """ "Make the timeline more aggressive": rewrite only this section."""
    return rx.form(
        rx.hstack(
            rx.input(type="hidden", name="section", value=index.to_string()),
            rx.input(
                name="instruction",
                placeholder="Ask for a change to this section…",
                aria_label="Ask for a change to this section",
                width="100%",
                size="1",
                class_name="reprompt-input",
            ),
            rx.button(
                rx.icon("sparkles", size=12),
                "Rewrite",
                size="1",
                variant="soft",
                type="submit",
                class_name="reprompt-submit",
            ),
            width="100%",
        ),
        on_submit=S.reprompt,
        reset_on_submit=True,
        width="100%",
    )


def section_flags(index: rx.Var) -> rx.Component:
    """What the draft check marks in this section: untraced figures, internal facts."""
    return rx.foreach(
        S.flags,
        lambda f: rx.cond(
            f["section"] == index.to_string(),
            rx.hstack(
                rx.icon("circle-alert", size=14, color=rx.color("amber", 10)),
                rx.text(rx.text.strong(f["text"]), ": ", f["reason"], size="1"),
                align="center",
                class_name="untraced-flag",
                role="status",
            ),
        ),
    )


def section_card(section: rx.Var, index: rx.Var) -> rx.Component:
    """One section: title, rich text, re-prompt, and a pending rewrite's diff."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(section["title"], size="4"),
                rx.spacer(),
                rx.cond(
                    S.editable,
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=S.remove_section(index),
                        aria_label="Remove section",
                        title="Remove section",
                    ),
                ),
                width="100%",
            ),
            rich_text_editor(
                content=section["html"],
                editable=S.editable,
                placeholder="Write this section, or let the writer draft it.",
                label=section["title"],
                on_save=lambda html: S.save_section(index, html),
                id="section-" + index.to_string(),
                class_name="section-editor",
            ),
            section_flags(index),
            rx.cond(S.writing_section == index, stream_panel()),
            rx.cond(
                S.pending["index"] == index.to_string(),
                diff_view(),
                rx.cond(S.editable & (section["empty"] == ""), reprompt_form(index)),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="proposal-section",
    )


def _line_cell(item: rx.Var, i: rx.Var, key: str, label: str) -> rx.Component:
    """One editable cell of a line item ("Quantity, line 2")."""
    return rx.table.cell(
        rx.input(
            name=key + "_" + i.to_string(),
            default_value=item[key],
            aria_label=label + ", line " + (i + 1).to_string(),
            read_only=~S.editable,
            size="1",
        )
    )


def pricing_table() -> rx.Component:
    """Line items with totals; saved as a whole, errors name the row."""
    editable = S.editable
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Pricing", size="4"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Description"),
                            rx.table.column_header_cell("Qty", width="90px"),
                            rx.table.column_header_cell("Unit price", width="140px"),
                            rx.table.column_header_cell("Total", width="150px", text_align="right"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.items,
                            lambda item, i: rx.table.row(
                                _line_cell(item, i, "description", "Description"),
                                _line_cell(item, i, "quantity", "Quantity"),
                                _line_cell(item, i, "unit_price", "Unit price"),
                                rx.table.cell(item["total"], text_align="right"),
                                class_name="pricing-row",
                            ),
                        ),
                    ),
                    width="100%",
                    variant="surface",
                    size="1",
                ),
                rx.hstack(
                    rx.cond(
                        editable,
                        rx.button(
                            rx.icon("plus", size=12),
                            "Add line",
                            size="1",
                            variant="soft",
                            type="button",
                            on_click=S.add_line,
                            id="add-line",
                        ),
                    ),
                    rx.spacer(),
                    rx.text("Discount %", size="1"),
                    rx.input(
                        name="discount",
                        default_value=S.totals["discount_pct"],
                        size="1",
                        width="70px",
                        read_only=~editable,
                        aria_label="Discount %",
                        id="discount",
                    ),
                    rx.text("Tax %", size="1"),
                    rx.input(
                        name="tax",
                        default_value=S.totals["tax_pct"],
                        size="1",
                        width="70px",
                        read_only=~editable,
                        aria_label="Tax %",
                        id="tax",
                    ),
                    width="100%",
                    align="center",
                ),
                rx.vstack(
                    rx.text("Subtotal: ", S.totals["subtotal"], size="2"),
                    rx.cond(
                        S.totals["has_discount"] != "",
                        rx.text("Discount: −", S.totals["discount"], size="2"),
                    ),
                    rx.cond(S.totals["has_tax"] != "", rx.text("Tax: ", S.totals["tax"], size="2")),
                    rx.text("Total: ", S.totals["total"], weight="bold", id="pricing-total"),
                    align="end",
                    width="100%",
                    spacing="1",
                ),
                rx.cond(
                    editable, rx.button("Save pricing", type="submit", size="2", id="save-pricing")
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_pricing,
            width="100%",
            key=S.pricing_key.to_string(),
        ),
        width="100%",
    )
