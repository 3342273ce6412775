"""The contacts list: the shared list view plus a create/edit dialog, delete and undo."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.crm import trash
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.state.crm.list_edit import ListEditMixin
from crmapp.state.crm.list_views import ListMixin
from crmapp.state.crm.record_form import RecordFormMixin
from crmapp.state.session import SessionState


class ContactsState(ListMixin, ListEditMixin, RecordFormMixin, SessionState):
    """Contacts: list view, dialog, delete with undo."""

    last_deleted: dict[str, str] = {}

    def _entity(self) -> str:
        return "contact"

    def _after_save(self):
        return [ContactsState.load]

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
