"""The bell in the top bar: unread count (polled) and the newest notifications."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import notifications
from crmapp.state.session import SessionState


class NotificationsState(SessionState):
    """The signed-in user's notifications in the active organisation."""

    unread: int = 0
    items: list[dict[str, str]] = []

    @rx.event
    def refresh(self, _tick=None):
        """Count the unread ones (cheap; polled)."""
        done = self._service(notifications.unread_count)
        if not done.ok:
            return done.toast
        self.unread = done.value
        return None

    @rx.event
    def open_list(self, is_open: bool):
        """Show the newest and mark them read."""
        if not is_open:
            return None

        def read(session: Session, actor: Actor) -> list[dict[str, str]]:
            items = [
                {
                    "message": n.message,
                    "href": n.href or "#",
                    "unread": "" if n.read_at else "1",
                    "when": timefmt.local(n.created_at, self._tz()),
                }
                for n in notifications.recent(session, actor)
            ]
            notifications.mark_all_read(session, actor)
            return items

        done = self._service(read)
        if not done.ok:
            return done.toast
        self.items, self.unread = done.value, 0
        return None
