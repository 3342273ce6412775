"""Proposals → Templates."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.state.proposals.templates import TemplatesState as S


def editor() -> rx.Component:
    """The template form: name, description, ordered sections with guidance."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(S.editing == "new", "New template", "Edit template"), size="4"),
                rx.input(
                    name="name",
                    default_value=S.name,
                    placeholder="Template name",
                    id="template-name",
                    width="100%",
                ),
                rx.cond(
                    S.errors.contains("name"),
                    rx.text(
                        S.errors["name"],
                        color=rx.color("red", 11),
                        size="1",
                        id="template-name-error",
                    ),
                ),
                rx.input(
                    name="description",
                    default_value=S.description,
                    placeholder="What this template is for",
                    width="100%",
                ),
                rx.text(
                    "Sections, in order. Guidance tells the writer what the section must say.",
                    size="1",
                    color="gray",
                ),
                rx.foreach(
                    S.sections,
                    lambda s, i: rx.hstack(
                        rx.text(i + 1, ".", size="2", width="1.5em"),
                        rx.input(
                            name="title_" + i.to_string(),
                            default_value=s["title"],
                            placeholder="Section title",
                            width="35%",
                        ),
                        rx.input(
                            name="guidance_" + i.to_string(),
                            default_value=s["guidance"],
                            placeholder="Guidance",
                            width="100%",
                        ),
                        width="100%",
                        class_name="template-section",
                    ),
                ),
                rx.foreach(
                    S.errors.values(), lambda e: rx.text(e, color=rx.color("red", 11), size="1")
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("plus", size=12),
                        "Section",
                        type="button",
                        variant="soft",
                        size="1",
                        on_click=S.add_row,
                        id="template-add-row",
                    ),
                    rx.spacer(),
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.close,
                    ),
                    rx.button("Save template", type="submit", id="template-save"),
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save,
            key=S.form_key.to_string(),
            id="template-form",
        ),
        width="100%",
    )


def templates_page() -> rx.Component:
    """The list; the form when editing."""
    return app_shell(
        "Proposal templates",
        rx.vstack(
            rx.hstack(
                rx.text(
                    "Every proposal starts from a template: an ordered list of sections, "
                    "each with guidance for the writer.",
                    size="2",
                    color="gray",
                ),
                rx.spacer(),
                rx.cond(
                    S.can_manage,
                    rx.button(
                        rx.icon("plus", size=14),
                        "New template",
                        on_click=S.edit("new"),
                        id="template-new",
                    ),
                ),
                width="100%",
            ),
            rx.cond(S.editing != "", editor()),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Template"),
                        rx.table.column_header_cell("Sections"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.rows,
                        lambda t: rx.table.row(
                            rx.table.cell(
                                rx.text(t["name"], weight="medium"),
                                rx.text(t["description"], size="1", color="gray"),
                            ),
                            rx.table.cell(t["sections"]),
                            rx.table.cell(
                                rx.cond(
                                    S.can_manage,
                                    rx.hstack(
                                        rx.button(
                                            "Edit",
                                            size="1",
                                            variant="soft",
                                            on_click=S.edit(t["id"]),
                                        ),
                                        rx.button(
                                            "Archive",
                                            size="1",
                                            variant="ghost",
                                            color_scheme="red",
                                            on_click=S.archive(t["id"]),
                                        ),
                                    ),
                                )
                            ),
                            class_name="template-row",
                        ),
                    )
                ),
                width="100%",
                variant="surface",
            ),
            width="100%",
            spacing="3",
        ),
    )
