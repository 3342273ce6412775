"""Settings → Custom fields."""

from __future__ import annotations

import reflex as rx

from crmapp.components.recordform import error_text
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, label
from crmapp.state.crm.custom_fields import FieldsState as S


def field_row(item: rx.Var) -> rx.Component:
    """One custom field with edit and delete."""
    return rx.table.row(
        rx.table.cell(item["label"], class_name="field-label"),
        rx.table.cell(rx.badge(item["type"], variant="soft")),
        rx.table.cell(item["options"], color="gray"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=S.edit(item["id"]),
                    disabled=~S.can_manage,
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button(
                            "Delete",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            disabled=~S.can_manage,
                            class_name="field-delete",
                        ),
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete the field ", item["label"], "?"),
                        rx.alert_dialog.description(
                            "It disappears from forms, lists and exports. Values already entered"
                            " are kept, and come back if you add a field with the same name."
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                            rx.alert_dialog.action(
                                rx.button(
                                    "Delete", color_scheme="red", on_click=S.delete(item["id"])
                                )
                            ),
                            justify="end",
                        ),
                    ),
                ),
            )
        ),
    )


def field_form() -> rx.Component:
    """Add a field (or edit the one chosen)."""
    return rx.card(
        rx.vstack(
            rx.heading(rx.cond(S.editing_id != "", "Edit field", "Add a field"), size="3"),
            rx.hstack(
                rx.vstack(
                    label("Name", for_id="field-label", weight="regular"),
                    rx.input(
                        value=S.label,
                        on_change=S.set_label,
                        id="field-label",
                        placeholder="e.g. Budget",
                        max_length=80,
                    ),
                    error_text(S.errors.get("label", ""), "field-label-error"),
                    spacing="1",
                ),
                rx.vstack(
                    label("Type", for_id="field-type", weight="regular"),
                    rx.el.select(
                        *[
                            rx.el.option(t, value=v)
                            for v, t in (
                                ("text", "Text"),
                                ("number", "Number"),
                                ("date", "Date"),
                                ("select", "Select"),
                            )
                        ],
                        value=S.field_type,
                        on_change=S.set_field_type,
                        disabled=S.editing_id != "",
                        id="field-type",
                        class_name="tandem-select",
                    ),
                    spacing="1",
                ),
                align="start",
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(
                S.field_type == "select",
                rx.vstack(
                    label("Options, one per line", for_id="field-options", weight="regular"),
                    rx.text_area(
                        value=S.options, on_change=S.set_options, id="field-options", width="320px"
                    ),
                    error_text(S.errors.get("options", ""), "field-options-error"),
                    spacing="1",
                ),
            ),
            rx.hstack(
                rx.button("Save field", on_click=S.save, id="field-save", disabled=~S.can_manage),
                rx.cond(
                    S.editing_id != "", rx.button("Cancel", variant="soft", on_click=S.reset_form)
                ),
            ),
            spacing="3",
        ),
        width="100%",
    )


def fields_page() -> rx.Component:
    """Custom fields of contacts, companies and deals."""
    return app_shell(
        "Custom fields",
        rx.vstack(
            rx.segmented_control.root(
                rx.segmented_control.item("Contacts", value="contact"),
                rx.segmented_control.item("Companies", value="company"),
                rx.segmented_control.item("Deals", value="deal"),
                value=S.entity,
                on_change=S.set_entity,
                id="fields-entity",
            ),
            rx.cond(
                ~S.can_manage,
                rx.callout("Only Admins and Owners can change custom fields.", icon="lock"),
            ),
            rx.cond(
                S.items.length() == 0,
                empty_state(
                    "list-plus",
                    "No custom fields yet",
                    "Add fields your team tracks (budget, renewal date, tier…); they appear in"
                    " forms, list columns, filters and exports.",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("Name", "Type", "Options", "")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.items, field_row)),
                    width="100%",
                    id="fields-table",
                ),
            ),
            rx.cond(S.can_manage, field_form()),
            spacing="4",
            width="100%",
        ),
    )
