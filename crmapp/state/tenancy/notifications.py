"""The bell in the top bar: unread count (polled) and the newest notifications."""

from __future__ import annotations

import reflex as rx

from crmapp.services.platform import timefmt
from crmapp.services.platform.db import tenant_session
from crmapp.services.tenancy import notifications
from crmapp.state.session import SessionState


class NotificationsState(SessionState):
    """The signed-in user's notifications in the active organisation."""

    unread: int = 0
    items: list[dict[str, str]] = []

    @rx.event
    def refresh(self, _tick=None):
        """Count the unread ones (cheap; polled)."""
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.unread = notifications.unread_count(session, actor)

    @rx.event
    def open_list(self, is_open: bool):
        """Show the newest and mark them read."""
        if not is_open:
            return
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.items = [
                {"message": n.message, "href": n.href or "#", "unread": "" if n.read_at else "1",
                 "when": timefmt.local(n.created_at, self._tz())}
                for n in notifications.recent(session, actor)
            ]  # fmt: skip
            notifications.mark_all_read(session, actor)
        self.unread = 0
