"""Record forms built from the field table (`services/crm/builtin_fields.py`) and custom fields."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.components.ui import label
from crmapp.services.crm.builtin_fields import FIELDS, FieldDef

HINTS = {
    "tags": "Separate with commas.",
    "emails": "One per line.",
    "phones": "One per line.",
    "date": "",
}
# The fields of the New deal dialog, on the deals list and on the board alike.
DEAL_DIALOG_FIELDS = (
    "title",
    "value",
    "currency",
    "stage_id",
    "expected_close_date",
    "owner_id",
    "contact_id",
    "company_id",
    "products",
)
REF_OPTIONS = {
    "company": "company_options",
    "contact": "contact_options",
    "stage": "stage_options",
    "user": "owner_options",
}


def native_select(name: str, value: Any, choices: Any, *, blank: str | None, id: str, **props):
    """A plain `<select>` (keyboard friendly, posts with the form). `choices` is a list of
    {id, name} dicts (a Var) or of (value, label) pairs (static)."""
    if isinstance(choices, list | tuple):
        options = [rx.el.option(label, value=value) for value, label in choices]
    else:
        options = [rx.foreach(choices, lambda c: rx.el.option(c["name"], value=c["id"]))]
    return rx.el.select(
        *([rx.el.option(blank, value="")] if blank is not None else []),
        *options,
        name=name,
        default_value=value,
        id=id,
        class_name="tandem-select",
        **props,
    )


def error_text(message: Any, id: str) -> rx.Component:
    """A field's validation message, when there is one."""
    return rx.cond(message != "", rx.text(message, size="1", color=rx.color("red", 11), id=id))


def field_input(state: Any, entity: str, field: FieldDef) -> rx.Component:
    """The input for one built-in field, with label, hint and error."""
    value = state.form.get(field.key, "")
    dom_id = f"{entity}-{field.key}".replace("_", "-")
    kind = field.kind
    if kind in REF_OPTIONS:
        control = native_select(
            field.key,
            value,
            getattr(state, REF_OPTIONS[kind]),
            blank=None if kind == "stage" else "—",
            id=dom_id,
        )
    elif kind == "select":
        control = native_select(field.key, value, field.choices(), blank="—", id=dom_id)
    elif kind in ("longtext", "emails", "phones"):
        control = rx.text_area(name=field.key, default_value=value, id=dom_id, width="100%")
    else:
        extra = {} if kind == "tags" else {"max_length": field.max_len}
        control = rx.input(
            name=field.key,
            default_value=value,
            id=dom_id,
            width="100%",
            type="date" if kind == "date" else "text",
            **extra,
        )
    return rx.vstack(
        label(field.label, ("*" if field.required else ""), for_id=dom_id),
        control,
        *([rx.text(HINTS[kind], size="1", color="gray")] if HINTS.get(kind) else []),
        error_text(state.form_errors.get(field.key, ""), f"{dom_id}-error"),
        spacing="1",
        width="100%",
        align="start",
    )


def custom_input(state: Any, definition: rx.Var) -> rx.Component:
    """The input for one custom field (type decided at run time)."""
    key = definition["key"].to(str)
    value = state.form.get(key, "")
    return rx.vstack(
        label(definition["label"], for_id=key),
        rx.match(
            definition["type"],
            (
                "select",
                rx.el.select(
                    rx.el.option("—", value=""),
                    rx.foreach(
                        definition["options"].to(str).split("|"),
                        lambda o: rx.el.option(o, value=o),
                    ),
                    name=key,
                    default_value=value,
                    id=key,
                    class_name="tandem-select",
                ),
            ),
            ("date", rx.input(name=key, type="date", default_value=value, id=key, width="100%")),
            rx.input(name=key, default_value=value, id=key, width="100%"),
        ),
        error_text(state.form_errors.get(key, ""), key + "-error"),
        spacing="1",
        width="100%",
        align="start",
    )


def form_fields(state: Any, entity: str, keys: tuple[str, ...] | None = None) -> rx.Component:
    """Inputs for `keys` (default: every built-in field), then the custom fields, on a grid."""
    chosen = [f for f in FIELDS[entity] if keys is None or f.key in keys]
    wide = {"longtext", "emails", "phones"}
    return rx.vstack(
        rx.grid(
            *[field_input(state, entity, f) for f in chosen if f.kind not in wide],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        *[field_input(state, entity, f) for f in chosen if f.kind in wide],
        rx.cond(
            state.custom_defs.length() > 0,
            rx.grid(
                rx.foreach(state.custom_defs, lambda d: custom_input(state, d)),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
                class_name="custom-fields",
            ),
        ),
        spacing="3",
        width="100%",
    )


def record_form_dialog(
    state: Any, entity: str, noun: str, keys: tuple[str, ...] | None = None
) -> rx.Component:
    """Create / edit in a dialog; errors stay beside their fields."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(state.form_id != "", f"Edit {noun}", f"New {noun}")),
            rx.form(
                rx.vstack(
                    rx.cond(
                        state.form_error != "",
                        rx.callout(
                            state.form_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                        ),
                    ),
                    form_fields(state, entity, keys),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Save", type="submit", id=f"{entity}-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=state.save_form,
                reset_on_submit=False,
            ),
            max_width="640px",
        ),
        open=state.form_open,
        on_open_change=state.set_form_open,
    )
