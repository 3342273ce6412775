"""The contacts list: the shared list view plus a create/edit dialog, delete and undo."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx

from crmapp.services.crm import trash
from crmapp.state.crm.list_edit import ListEditMixin
from crmapp.state.crm.record_form import RecordFormMixin
from crmapp.state.session import SessionState


class ContactsState(ListEditMixin, RecordFormMixin, SessionState):
    """Contacts: list view, dialog, delete with undo."""

    last_deleted: dict[str, str] = {}

    def _entity(self) -> str:
        return "contact"

    def _after_save(self) -> list[Any]:
        return [ContactsState.load]

    @rx.event
    def delete(self, contact_id: str):
        """Move a contact to the trash (confirmed in the page first)."""
        done = self._service(trash.delete_record, "contact", uuid.UUID(contact_id))
        if not done.ok:
            return done.toast
        self.last_deleted = {"id": contact_id, "text": f"Deleted {done.value}."}
        return ContactsState.load

    @rx.event
    def undo_delete(self):
        """Restore the contact just deleted (Admins and Owners)."""
        if not self.last_deleted:
            return None
        done = self._service(trash.restore_record, "contact", uuid.UUID(self.last_deleted["id"]))
        if not done.ok:
            return done.toast
        self.last_deleted = {}
        return ContactsState.load
