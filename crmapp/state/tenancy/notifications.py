"""The bell in the top bar: unread count (polled) and the newest notifications."""

from __future__ import annotations

import reflex as rx

from crmapp.services.platform import timefmt
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
        done = self._service(notifications.open_recent)
        if not done.ok:
            return done.toast
        self.items = [
            {
                "message": n.message,
                "href": n.href or "#",
                "unread": "1" if unread else "",
                "when": timefmt.local(n.created_at, self._tz()),
            }
            for n, unread in done.value
        ]
        self.unread = 0
        return None
