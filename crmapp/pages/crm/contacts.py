"""Contacts and deals pages."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.listview import list_view
from crmapp.components.recordform import record_form_dialog
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.state.crm.contacts import ContactsState


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
            rx.alert_dialog.title("Delete ", row["label"], "?"),
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


def row_actions(row: rx.Var) -> rx.Component:
    """Edit and delete buttons of one contact."""
    return rx.hstack(
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


CONTACT_DIALOG_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "company_id",
    "owner_id",
    "lifecycle_stage",
    "source",
    "tags",
)


def contacts_page() -> rx.Component:
    """Contacts: search, saved views, filters, sort, bulk actions, inline edit, pages."""
    return app_shell(
        "Contacts",
        rx.vstack(
            deleted_bar(),
            list_view(
                ContactsState,
                "contact",
                noun_plural="contacts",
                first_key="first_name",
                empty=empty_state(
                    "users",
                    "No contacts yet",
                    "Contacts are the people you sell to; deals, proposals and posts link to them."
                    " Add one, or import a CSV.",
                ),
                toolbar=[
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
                            ContactsState.can_write, "Add a contact", "Viewers can't add contacts"
                        ),
                    ),
                ],
                row_actions=row_actions,
            ),
            record_form_dialog(ContactsState, "contact", "contact", CONTACT_DIALOG_FIELDS),
            spacing="4",
            width="100%",
        ),
    )
