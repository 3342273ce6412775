"""Contacts and deals lists (the CRM issue grows these into full views)."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services import crm, imports, trash
from crmapp.services.crm import ContactInput
from crmapp.services.db import tenant_session
from crmapp.services.errors import ServiceError, ValidationError
from crmapp.state.session import SessionState

EMPTY_FORM = {"first_name": "", "last_name": "", "email": "", "phone": "", "title": ""}


class ContactsState(SessionState):
    """The contact list with search, pages, and a create/edit dialog."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    loading: bool = False
    dialog_open: bool = False
    editing_id: str = ""
    form: dict[str, str] = dict(EMPTY_FORM)
    field_errors: dict[str, str] = {}
    error: str = ""
    last_deleted: dict[str, str] = {}

    @rx.var
    def pages(self) -> int:
        """How many pages the list has."""
        return max(1, -(-self.total // crm.PAGE_SIZE))

    @rx.event
    def load(self):
        """Fetch the current page."""
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            contacts, self.total = crm.list_contacts(
                session, actor, search=self.search, page=self.page
            )
        self.rows = [
            {
                "id": str(c.id),
                "first_name": c.first_name,
                "last_name": c.last_name,
                "name": f"{c.first_name} {c.last_name}".strip(),
                "email": c.email,
                "phone": c.phone,
                "title": c.title,
            }
            for c in contacts
        ]

    @rx.event
    def set_search(self, value: str):
        """Filter as the user types."""
        self.search, self.page = value, 1
        return ContactsState.load

    @rx.event
    def next_page(self):
        """Go one page on."""
        self.page = min(self.pages, self.page + 1)
        return ContactsState.load

    @rx.event
    def prev_page(self):
        """Go one page back."""
        self.page = max(1, self.page - 1)
        return ContactsState.load

    @rx.event
    def open_new(self):
        """Open an empty form."""
        self.editing_id, self.form, self.field_errors, self.error = (
            "",
            dict(EMPTY_FORM),
            {},
            "",
        )
        self.dialog_open = True

    @rx.event
    def open_edit(self, contact_id: str):
        """Open the form filled with one contact."""
        row = next((r for r in self.rows if r["id"] == contact_id), None)
        if row is None:
            return
        self.editing_id = contact_id
        self.form = {k: row[k] for k in EMPTY_FORM}
        self.field_errors, self.error = {}, ""
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool):
        """Close (or open) the dialog."""
        self.dialog_open = value

    @rx.event
    def save(self, form: dict):
        """Create or update the contact; field errors stay in the open dialog."""
        self.field_errors, self.error = {}, ""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = ContactInput(**{k: form.get(k, "") for k in EMPTY_FORM})
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                if self.editing_id:
                    crm.update_contact(session, actor, uuid.UUID(self.editing_id), data)
                else:
                    crm.create_contact(session, actor, data)
        except ValidationError as err:
            self.field_errors = err.fields
            self.form = {k: form.get(k, "") for k in EMPTY_FORM}
            return None
        except ServiceError as err:
            self.error = str(err)
            return None
        self.dialog_open = False
        message = "Contact saved." if self.editing_id else "Contact added."
        return [ContactsState.load, rx.toast.success(message)]

    @rx.event
    def delete(self, contact_id: str):
        """Move a contact to the trash (confirmed in the page first)."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                label = trash.delete_record(session, actor, "contact", uuid.UUID(contact_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.last_deleted = {"id": contact_id, "text": f"Deleted {label}."}
        return ContactsState.load

    @rx.event
    def undo_delete(self):
        """Restore the contact just deleted (Admins and Owners)."""
        actor = self._actor()
        if actor is None or not self.last_deleted:
            return None
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                trash.restore_record(session, actor, "contact", uuid.UUID(self.last_deleted["id"]))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.last_deleted = {}
        return ContactsState.load

    @rx.event
    def export_csv(self):
        """Download every contact matching the current search as CSV."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with tenant_session(actor.org_id, actor.user_id) as session:
            data = imports.export_contacts_csv(session, actor, search=self.search)
        return rx.download(data=data, filename="contacts.csv")
