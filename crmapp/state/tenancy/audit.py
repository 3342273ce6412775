"""The audit trail browser (Admins and Owners)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import audit, audit_text
from crmapp.services.tenancy.audit import AuditFilter
from crmapp.services.tenancy.permissions import Perm, can
from crmapp.state.session import SessionState

ANY = "any"


class AuditState(SessionState):
    """Filters, one page of events, and the total."""

    rows: list[dict[str, str]] = []
    actions: list[list[str]] = []  # [action, label] for the filter menu
    total: int = 0
    page: int = 1
    action: str = ANY
    actor_email: str = ""
    since: str = ""
    until: str = ""
    error: str = ""

    @rx.var
    def pages(self) -> int:
        """How many pages match."""
        return max(1, -(-self.total // audit.PAGE_SIZE))

    def _day(self, value: str, *, end: bool) -> datetime | None:
        if not value:
            return None
        day = date.fromisoformat(value) + (timedelta(days=1) if end else timedelta(0))
        return datetime.combine(day, time.min, tzinfo=timefmt.zone(self.timezone))

    @rx.event
    def load(self):
        """Fetch the current page with the current filters."""
        self.error, self.rows, self.total = "", [], 0
        try:
            flt = AuditFilter(
                action="" if self.action == ANY else self.action,
                actor_email=self.actor_email,
                since=self._day(self.since, end=False),
                until=self._day(self.until, end=True),
            )
        except ValueError as err:
            self.error = str(err)
            return None

        def read(session: Session, actor: Actor):
            if not can(actor.role, Perm.AUDIT_VIEW):
                return None  # the page says who may use it
            events, total = audit.list_events(session, actor, flt, page=self.page)
            views = audit_text.describe(session, actor, events, self.timezone)
            return events, total, views, audit.known_actions(session, actor)

        done = self._service(read)
        if not done.ok or done.value is None:
            self.error = done.error
            return done.login
        events, self.total, views, known = done.value
        labelled = sorted(((audit_text.action_label(a), a) for a in known), key=lambda p: p[0])
        self.actions = [[ANY, "Any action"], *([a, label] for label, a in labelled)]
        self.rows = [
            {
                "when": timefmt.local(v.when, self._tz(), "%d %b %Y %H:%M:%S"),
                "actor": v.actor,
                "action": v.title,
                "kind": v.record_kind,
                "record": v.record,
                "href": v.href,
                "changes": v.detail,
                "ip": e.ip,
            }
            for e, v in zip(events, views, strict=True)
        ]
        return None

    def _refilter(self):
        self.page = 1
        return AuditState.load

    @rx.event
    def set_action(self, value: str):
        """Filter by action."""
        self.action = value
        return self._refilter()

    @rx.event
    def set_actor_email(self, value: str):
        """Filter by who acted."""
        self.actor_email = value
        return self._refilter()

    @rx.event
    def set_since(self, value: str):
        """Filter from a day (in the user's zone)."""
        self.since = value
        return self._refilter()

    @rx.event
    def set_until(self, value: str):
        """Filter up to and including a day."""
        self.until = value
        return self._refilter()

    @rx.event
    def next_page(self):
        """One page on."""
        self.page = min(self.pages, self.page + 1)
        return AuditState.load

    @rx.event
    def prev_page(self):
        """One page back."""
        self.page = max(1, self.page - 1)
        return AuditState.load
