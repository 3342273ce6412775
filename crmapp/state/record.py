"""A contact's record page: key fields, related deals, quick-add activity, timeline."""

from __future__ import annotations

import uuid
from datetime import datetime

import reflex as rx

from crmapp import routes
from crmapp.services import activities, crm, timefmt
from crmapp.services.db import tenant_session
from crmapp.services.errors import NotFound, ServiceError, ValidationError
from crmapp.state.session import SessionState

KIND_ICONS = {
    "note": "sticky-note",
    "call": "phone",
    "meeting": "users",
    "email": "mail",
    "task": "square-check",
    "change": "history",
}


class ContactRecordState(SessionState):
    """Everything the contact page shows."""

    found: bool = True
    contact: dict[str, str] = {}
    deals: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    kind: str = "note"
    field_errors: dict[str, str] = {}

    def _contact_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.contact_id)
        except (ValueError, AttributeError):
            return None

    @rx.event
    def load(self):
        """Fetch the contact, their deals and the timeline."""
        actor = self._actor()
        contact_id = self._contact_uuid()
        if actor is None:
            return
        if contact_id is None:
            self.found = False
            return
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                contact, company = crm.get_contact(session, actor, contact_id)
                deals = crm.list_deals(session, actor, contact_id=contact_id)
                items = activities.timeline(session, actor, "contact", contact_id)
        except NotFound:
            self.found = False
            return
        self.found = True
        self.contact = {
            "name": f"{contact.first_name} {contact.last_name}".strip(),
            "email": contact.email,
            "phone": contact.phone,
            "title": contact.title,
            "company": company.name if company else "",
        }
        self.deals = [
            {"title": d.title, "value": f"{d.value:,.0f} {d.currency}", "stage": stage.name}
            for d, stage in deals
        ]
        self.timeline = [
            {
                "id": item.id,
                "kind": item.kind,
                "icon": KIND_ICONS.get(item.kind, "circle"),
                "title": item.title,
                "detail": item.detail,
                "who": item.who,
                "when": timefmt.local(item.when, self.timezone),
                "due": timefmt.local(item.due_at, self.timezone) if item.due_at else "",
                "done": "yes" if item.done else "",
            }
            for item in items
        ]

    @rx.event
    def set_kind(self, kind: str | list[str]):
        """Pick what kind of activity to log."""
        self.kind = kind if isinstance(kind, str) else (kind[0] if kind else "note")

    @rx.event
    def add_activity(self, form: dict):
        """Log the activity and show it at the top of the timeline."""
        self.field_errors = {}
        actor = self._actor()
        contact_id = self._contact_uuid()
        if actor is None or contact_id is None:
            return rx.redirect(routes.LOGIN)
        due = None
        if self.kind == "task" and form.get("due_at"):
            try:
                due = datetime.fromisoformat(form["due_at"]).replace(
                    tzinfo=timefmt.zone(self.timezone)
                )
            except ValueError:
                self.field_errors = {"due_at": "Pick a date and time."}
                return None
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                activities.add_activity(
                    session, actor, record_type="contact", record_id=contact_id,
                    kind=self.kind, subject=form.get("subject", ""),
                    body=form.get("body", ""), due_at=due,
                )  # fmt: skip
        except ValidationError as err:
            self.field_errors = err.fields
            return None
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.load()
        return rx.toast.success("Logged.")

    @rx.event
    def toggle_done(self, activity_id: str, done: bool):
        """Tick a task off or reopen it."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                activities.complete_task(session, actor, uuid.UUID(activity_id), done)
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.load()
        return None
