"""Dashboard numbers and the connection check."""

from __future__ import annotations

import reflex as rx

from crmapp.services import crm
from crmapp.services.db import tenant_session
from crmapp.state.session import SessionState


class DashboardState(SessionState):
    """Headline figures for the active organisation."""

    contacts: int = 0
    open_deals: int = 0
    open_value: str = "0"
    won_value: str = "0"
    loaded: bool = False

    @rx.event
    def load(self):
        """on_load: fetch the summary (after the login guard)."""
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            summary = crm.dashboard_summary(session, actor)
        self.contacts, self.open_deals = summary.contacts, summary.open_deals
        self.open_value = f"{summary.open_value:,.0f}"
        self.won_value = f"{summary.won_value:,.0f}"
        self.loaded = True


class PingState(rx.State):
    """A server round trip the user can trigger; counts replies."""

    count: int = 0

    @rx.event
    def ping(self):
        """Answer one ping."""
        self.count += 1
