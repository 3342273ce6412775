"""The trash: deleted contacts, companies and deals that Admins can restore for 30 days."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp.services.crm import trash
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy.permissions import Perm, can
from crmapp.state.session import SessionState


class TrashState(SessionState):
    """Deleted records, newest first."""

    items: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self):
        """Fetch the trash (Admins and Owners only)."""
        self.items = []

        def read(session: Session, actor: Actor) -> list[trash.TrashItem] | None:
            if not can(actor.role, Perm.RECORD_RESTORE):
                return None  # the page says who may use it
            return trash.list_trash(session, actor)

        done = self._service(read)
        self.error = done.error
        if not done.ok or done.value is None:
            return done.login
        self.items = [
            {
                "type": i.record_type,
                "id": i.id,
                "label": i.label,
                "deleted": timefmt.local(i.deleted_at, self._tz()),
                "purge": timefmt.local(i.purge_at, self._tz(), "%d %b %Y"),
            }
            for i in done.value
        ]
        return None

    @rx.event
    def restore(self, record_type: str, record_id: str):
        """Bring one record back."""
        done = self._service(trash.restore_record, record_type, uuid.UUID(record_id))
        if not done.ok:
            return done.toast
        return [TrashState.load, rx.toast.success(f"Restored {done.value}.")]
