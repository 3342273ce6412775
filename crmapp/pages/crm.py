"""Contacts and deals pages."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, field, form_error, pager
from crmapp.state.crm import ContactsState


def contact_dialog() -> rx.Component:
    """Create / edit form in a dialog."""
    errors = ContactsState.field_errors
    form = ContactsState.form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(ContactsState.editing_id != "", "Edit contact", "New contact")),
            rx.form(
                rx.vstack(
                    form_error(ContactsState.error, id="contact-error"),
                    rx.hstack(
                        field(
                            "First name",
                            "first_name",
                            errors.get("first_name", ""),
                            default_value=form["first_name"],
                            auto_focus=True,
                        ),
                        field(
                            "Last name",
                            "last_name",
                            errors.get("last_name", ""),
                            default_value=form["last_name"],
                        ),
                        width="100%",
                    ),
                    field(
                        "Email",
                        "email",
                        errors.get("email", ""),
                        default_value=form["email"],
                    ),
                    field(
                        "Phone",
                        "phone",
                        errors.get("phone", ""),
                        default_value=form["phone"],
                    ),
                    field(
                        "Job title",
                        "title",
                        errors.get("title", ""),
                        default_value=form["title"],
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Save", type="submit", id="contact-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ContactsState.save,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=ContactsState.dialog_open,
        on_open_change=ContactsState.set_dialog_open,
    )


def delete_button(row: rx.Var) -> rx.Component:
    """Delete with confirmation (the record goes to the trash for 30 days)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Delete",
                size="1",
                variant="soft",
                color_scheme="red",
                disabled=~ContactsState.can_write,
                class_name="contact-delete",
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", row["name"], "?"),
            rx.alert_dialog.description(
                "The contact moves to the trash; Admins can restore it for 30 days."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        id="confirm-delete",
                        on_click=ContactsState.delete(row["id"]),
                    )
                ),
                justify="end",
            ),
        ),
    )


def contact_row(row: rx.Var) -> rx.Component:
    """One contact in the table."""
    return rx.table.row(
        rx.table.cell(
            rx.link(row["name"], href="/crm/contacts/" + row["id"]), class_name="contact-name"
        ),
        rx.table.cell(row["email"]),
        rx.table.cell(row["phone"]),
        rx.table.cell(row["title"]),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=ContactsState.open_edit(row["id"]),
                    disabled=~ContactsState.can_write,
                    class_name="contact-edit",
                ),
                delete_button(row),
            )
        ),
    )


def deleted_bar() -> rx.Component:
    """What was just deleted, with Undo for those who may restore."""
    return rx.cond(
        ContactsState.last_deleted.contains("id"),
        rx.callout(
            rx.hstack(
                rx.text(ContactsState.last_deleted["text"], id="deleted-summary"),
                rx.cond(
                    ContactsState.perms.contains("record.restore"),
                    rx.button(
                        "Undo",
                        size="1",
                        variant="soft",
                        id="undo-delete",
                        on_click=ContactsState.undo_delete,
                    ),
                ),
                align="center",
            ),
            icon="trash-2",
            width="100%",
        ),
    )


def contacts_page() -> rx.Component:
    """Searchable, paginated contacts."""
    return app_shell(
        "Contacts",
        rx.vstack(
            rx.hstack(
                rx.input(
                    placeholder="Search name or email…",
                    value=ContactsState.search,
                    on_change=ContactsState.set_search.debounce(250),
                    id="contact-search",
                    width="320px",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=16),
                    "Export CSV",
                    variant="soft",
                    on_click=ContactsState.export_csv,
                    id="export-contacts",
                ),
                rx.cond(
                    ContactsState.can_write,
                    rx.link(
                        rx.button(rx.icon("upload", size=16), "Import CSV", variant="soft"),
                        href=routes.IMPORT,
                        id="import-contacts",
                    ),
                ),
                rx.tooltip(
                    rx.button(
                        rx.icon("plus", size=16),
                        "New contact",
                        id="new-contact",
                        on_click=ContactsState.open_new,
                        disabled=~ContactsState.can_write,
                    ),
                    content=rx.cond(
                        ContactsState.can_write,
                        "Add a contact",
                        "Viewers can't add contacts",
                    ),
                ),
                width="100%",
            ),
            deleted_bar(),
            rx.cond(
                ContactsState.total == 0,
                empty_state(
                    "users",
                    rx.cond(ContactsState.search != "", "No matches", "No contacts yet"),
                    "Contacts are the people you sell to; deals, proposals and posts link to them.",
                ),
                rx.vstack(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("Name", "Email", "Phone", "Title", "")
                                ]
                            )
                        ),
                        rx.table.body(rx.foreach(ContactsState.rows, contact_row)),
                        width="100%",
                        id="contacts-table",
                    ),
                    pager(
                        ContactsState.page,
                        ContactsState.pages,
                        ContactsState.total,
                        ContactsState.prev_page,
                        ContactsState.next_page,
                        "contacts",
                    ),
                    width="100%",
                ),
            ),
            contact_dialog(),
            spacing="4",
            width="100%",
        ),
    )
