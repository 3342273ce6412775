"""Record pages of contacts, companies and deals: key fields, edit form, related records,
quick-add activity, timeline."""

from __future__ import annotations

import uuid
from datetime import datetime

import reflex as rx

from crmapp import routes
from crmapp.services.crm import activities, record_forms, record_page, records, trash
from crmapp.services.platform import timefmt
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, ServiceError, ValidationError
from crmapp.services.proposals import documents
from crmapp.services.tenancy import audit_text
from crmapp.state.crm.record_form import RecordFormMixin
from crmapp.state.session import SessionState

KIND_ICONS = {
    "note": "sticky-note",
    "call": "phone",
    "meeting": "users",
    "email": "mail",
    "task": "square-check",
    "change": "history",
}


class RecordPageMixin(rx.State, mixin=True):
    """Everything a record page shows: key fields, details, related records, timeline."""

    found: bool = True
    record: dict[str, str] = {}
    details: list[dict[str, str]] = []
    related_contacts: list[dict[str, str]] = []
    related_companies: list[dict[str, str]] = []
    related_deals: list[dict[str, str]] = []
    related_proposals: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    kind: str = "note"
    field_errors: dict[str, str] = {}
    editing: bool = False

    def _entity(self) -> str:
        raise NotImplementedError

    def _record_uuid(self) -> uuid.UUID | None:
        param = {"contact": "contact_id", "company": "company_id", "deal": "deal_id"}
        try:
            return uuid.UUID(str(self.router.page.params.get(param[self._entity()], "")))
        except ValueError:
            return None

    @rx.event
    def load(self):
        """Fetch the record, what is linked to it, and its timeline."""
        actor = self._actor()  # type: ignore[attr-defined]
        record_id = self._record_uuid()
        if actor is None:
            return
        if record_id is None:
            self.found = False
            return
        entity = self._entity()
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                row = records.get_record(session, actor, entity, record_id)
                page = record_page.describe(session, actor, entity, row)
                linked = records.related(session, actor, entity, record_id)
                items = activities.timeline(
                    session, actor, entity, record_id,
                    tz=self.timezone,  # type: ignore[attr-defined]
                )  # fmt: skip
                proposals = (
                    documents.list_proposals(session, actor, deal_id=record_id)[0]
                    if entity == "deal" else []
                )  # fmt: skip
                self._load_options(session, actor)  # type: ignore[attr-defined]
                self.form = record_forms.form_values(entity, row)
        except NotFound:
            self.found = False
            return
        self.found = True
        self.record, self.details = page.header, page.details
        self.related_contacts = [record_page.link(r) for r in linked["contacts"]]
        self.related_companies = [record_page.link(r) for r in linked["companies"]]
        self.related_deals = [record_page.link(r) for r in linked["deals"]]
        self.related_proposals = [
            {
                "label": p.title,
                "href": routes.proposal(p.id),
                "sub": f"{audit_text.state_label(p.status)} · {p.total}",
            }
            for p in proposals
        ]
        self.timeline = [
            {
                "id": item.id,
                "kind": item.kind,
                "icon": KIND_ICONS.get(item.kind, "circle"),
                "title": item.title,
                "detail": item.detail,
                "who": item.who,
                "when": timefmt.local(item.when, self._tz()),  # type: ignore[attr-defined]
                "due": timefmt.local(item.due_at, self._tz())  # type: ignore[attr-defined]
                if item.due_at
                else "",
                "done": "yes" if item.done else "",
                "assignee": item.assignee,
            }
            for item in items
        ]

    @rx.event
    def delete_record(self):
        """Move this record to the trash and go back to its list."""
        actor = self._actor()  # type: ignore[attr-defined]
        record_id = self._record_uuid()
        if actor is None or record_id is None:
            return rx.redirect(routes.LOGIN)
        entity = self._entity()
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                label = trash.delete_record(session, actor, entity, record_id)
        except ServiceError as err:
            return rx.toast.error(str(err))
        back = {"contact": routes.CONTACTS, "company": routes.COMPANIES, "deal": routes.DEALS_LIST}
        return [
            rx.redirect(back[entity]),
            rx.toast.success(f"Deleted {label}. Admins can restore it from the trash for 30 days."),
        ]

    @rx.event
    def start_editing(self):
        """Show the edit form."""
        self.form_errors, self.form_error = {}, ""  # type: ignore[attr-defined]
        self.form_id = str(self._record_uuid() or "")  # type: ignore[attr-defined]
        self.editing = True

    @rx.event
    def stop_editing(self):
        """Hide the edit form without saving."""
        self.editing = False

    def _after_save(self):
        self.editing = False
        return [type(self).load]

    @rx.event
    def set_kind(self, kind: str | list[str]):
        """Pick what kind of activity to log."""
        self.kind = kind if isinstance(kind, str) else (kind[0] if kind else "note")

    @rx.event
    def add_activity(self, form: dict):
        """Log the activity and show it at the top of the timeline."""
        self.field_errors = {}
        actor = self._actor()  # type: ignore[attr-defined]
        record_id = self._record_uuid()
        if actor is None or record_id is None:
            return rx.redirect(routes.LOGIN)
        due = None
        if self.kind == "task" and form.get("due_at"):
            try:
                due = datetime.fromisoformat(form["due_at"]).replace(
                    tzinfo=timefmt.zone(self.timezone)  # type: ignore[attr-defined]
                )
            except ValueError:
                self.field_errors = {"due_at": "Pick a date and time."}
                return None
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                activities.add_activity(
                    session, actor, record_type=self._entity(), record_id=record_id,
                    kind=self.kind, subject=form.get("subject", ""),
                    body=form.get("body", ""), due_at=due,
                    assignee_id=uuid.UUID(form["assignee_id"]) if self.kind == "task"
                    and form.get("assignee_id") else None,
                )  # fmt: skip
        except ValidationError as err:
            self.field_errors = err.fields
            return None
        except ServiceError as err:
            return rx.toast.error(str(err))
        return [type(self).load, rx.toast.success("Logged.")]

    @rx.event
    def toggle_done(self, activity_id: str, done: bool):
        """Tick a task off or reopen it."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                activities.complete_task(session, actor, uuid.UUID(activity_id), done)
        except ServiceError as err:
            return rx.toast.error(str(err))
        return type(self).load


class ContactRecordState(RecordPageMixin, RecordFormMixin, SessionState):
    """A contact's page."""

    def _entity(self) -> str:
        return "contact"


class CompanyRecordState(RecordPageMixin, RecordFormMixin, SessionState):
    """A company's page."""

    def _entity(self) -> str:
        return "company"


class DealRecordState(RecordPageMixin, RecordFormMixin, SessionState):
    """A deal's page."""

    def _entity(self) -> str:
        return "deal"
