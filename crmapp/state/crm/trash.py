"""The trash: deleted contacts, companies and deals that Admins can restore for 30 days."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.crm import trash
from crmapp.services.platform import timefmt
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.tenancy.permissions import Perm, can
from crmapp.state.session import SessionState


class TrashState(SessionState):
    """Deleted records, newest first."""

    items: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self):
        """Fetch the trash (Admins and Owners only)."""
        self.error = ""
        actor = self._actor()
        if actor is None or not can(actor.role, Perm.RECORD_RESTORE):
            self.items = []
            return  # the page says who may use it
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                items = trash.list_trash(session, actor)
        except ServiceError as err:
            self.items, self.error = [], str(err)
            return
        self.items = [
            {
                "type": i.record_type,
                "id": i.id,
                "label": i.label,
                "deleted": timefmt.local(i.deleted_at, self._tz()),
                "purge": timefmt.local(i.purge_at, self._tz(), "%d %b %Y"),
            }
            for i in items
        ]

    @rx.event
    def restore(self, record_type: str, record_id: str):
        """Bring one record back."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                label = trash.restore_record(session, actor, record_type, uuid.UUID(record_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.load()
        return rx.toast.success(f"Restored {label}.")
