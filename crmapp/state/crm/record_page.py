"""Record pages of contacts, companies and deals: key fields, edit form, related records,
quick-add activity, timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.crm import activities, record_forms, record_page, records, trash
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
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


class RecordPageMixin(RecordFormMixin, mixin=True):
    """Everything a record page shows: key fields, details, related records, timeline, and its
    edit form (a mixin: each kind of record has its own page)."""

    found: bool = True
    record: dict[str, str] = {}
    details: list[dict[str, str]] = []
    related_contacts: list[dict[str, str]] = []
    related_companies: list[dict[str, str]] = []
    related_deals: list[dict[str, str]] = []
    related_proposals: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    kind: str = "note"
    occurred_default: str = ""  # "now" in the viewer's zone, for the "When" input
    field_errors: dict[str, str] = {}
    editing: bool = False
    editing_activity: str = ""  # the id of the activity whose edit form is open
    edit_errors: dict[str, str] = {}

    def _record_uuid(self) -> uuid.UUID | None:
        param = {"contact": "contact_id", "company": "company_id", "deal": "deal_id"}
        try:
            return uuid.UUID(str(self.router.page.params.get(param[self._entity()], "")))
        except ValueError:
            return None

    @rx.event
    def load(self):
        """Fetch the record, what is linked to it, and its timeline."""
        record_id = self._record_uuid()
        if record_id is None:
            self.found = False
            return None
        entity = self._entity()

        def read(session: Session, actor: Actor):
            try:
                row = records.get_record(session, actor, entity, record_id)
            except NotFound:
                return None
            page = record_page.describe(session, actor, entity, row)
            linked = records.related(session, actor, entity, record_id)
            items = activities.timeline(session, actor, entity, record_id, tz=self.timezone)
            proposals = (
                documents.list_proposals(session, actor, deal_id=record_id)[0]
                if entity == "deal"
                else []
            )
            self._load_options(session, actor)
            self.form = record_forms.form_values(entity, row)
            return page, linked, items, proposals

        done = self._service(read)
        if not done.ok:
            return done.toast
        if done.value is None:
            self.found = False
            return None
        page, linked, items, proposals = done.value
        self.found = True
        now = datetime.now(timefmt.zone(self.timezone))
        self.occurred_default = now.strftime("%Y-%m-%dT%H:%M")
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
                "when": timefmt.local(item.when, self._tz()),
                # What the edit form's "When" starts from (an activity that happened).
                "occurred": (
                    item.when.astimezone(timefmt.zone(self._tz())).strftime("%Y-%m-%dT%H:%M")
                    if item.kind not in ("change", "task")
                    else ""
                ),
                "due": timefmt.local(item.due_at, self._tz()) if item.due_at else "",
                "done": "yes" if item.done else "",
                "assignee": item.assignee,
            }
            for item in items
        ]
        return None

    @rx.event
    def delete_record(self):
        """Move this record to the trash and go back to its list."""
        record_id = self._record_uuid()
        if record_id is None:
            return None
        entity = self._entity()
        done = self._service(trash.delete_record, entity, record_id)
        if not done.ok:
            return done.toast
        label = done.value
        back = {"contact": routes.CONTACTS, "company": routes.COMPANIES, "deal": routes.DEALS_LIST}
        return [
            rx.redirect(back[entity]),
            rx.toast.success(
                f"Deleted {label}. Admins can restore it from the trash for "
                f"{trash.RETENTION.days} days."
            ),
        ]

    @rx.event
    def start_editing(self):
        """Show the edit form."""
        self.form_errors, self.form_error = {}, ""
        self.form_id = str(self._record_uuid() or "")
        self.editing = True

    @rx.event
    def stop_editing(self):
        """Hide the edit form without saving."""
        self.editing = False

    def _after_save(self) -> list[Any]:
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
        record_id = self._record_uuid()
        if record_id is None:
            return None
        try:
            due = activities.local_time(
                str(form.get("due_at", "")) if self.kind == "task" else "", self._tz(), "due_at"
            )
            typed = str(form.get("occurred_at", "")) if self.kind != "task" else ""
            # Left as the page filled it in (when it was opened, to the minute): it is now.
            if typed == self.occurred_default:
                typed = ""
            occurred = activities.local_time(typed, self._tz())
        except ValidationError as err:
            self.field_errors = err.fields
            return None
        assignee = form.get("assignee_id") if self.kind == "task" else None
        done = self._service(
            activities.add_activity,
            record_type=self._entity(),
            record_id=record_id,
            kind=self.kind,
            subject=form.get("subject", ""),
            body=form.get("body", ""),
            due_at=due,
            assignee_id=uuid.UUID(assignee) if assignee else None,
            occurred_at=occurred,
        )
        self.field_errors = done.fields
        if not done.ok:
            return None if done.fields else done.toast
        return [type(self).load, rx.toast.success("Logged.")]

    @rx.event
    def start_edit_activity(self, activity_id: str):
        """Open the edit form of one logged activity (again: close it)."""
        self.edit_errors = {}
        self.editing_activity = "" if self.editing_activity == activity_id else activity_id

    @rx.event
    def save_activity(self, form: dict):
        """Correct an activity's subject, details and when it happened."""
        self.edit_errors = {}
        item = next((i for i in self.timeline if i["id"] == self.editing_activity), None)
        if item is None:
            return None
        try:
            occurred = activities.local_time(
                str(form.get("occurred_at", "")) if item["kind"] != "task" else "", self._tz()
            )
        except ValidationError as err:
            self.edit_errors = err.fields
            return None
        done = self._service(
            activities.update_activity,
            uuid.UUID(item["id"]),
            subject=str(form.get("subject", "")),
            body=str(form.get("body", "")),
            occurred_at=occurred,
        )
        if not done.ok:
            self.edit_errors = done.fields
            return None if done.fields else done.toast
        self.editing_activity = ""
        return [type(self).load, rx.toast.success("Saved.")]

    @rx.event
    def toggle_done(self, activity_id: str, done: bool):
        """Tick a task off or reopen it."""
        completed = self._service(activities.complete_task, uuid.UUID(activity_id), done)
        if not completed.ok:
            return completed.toast
        return type(self).load


class ContactRecordState(RecordPageMixin, SessionState):
    """A contact's page."""

    def _entity(self) -> str:
        return "contact"


class CompanyRecordState(RecordPageMixin, SessionState):
    """A company's page."""

    def _entity(self) -> str:
        return "company"


class DealRecordState(RecordPageMixin, SessionState):
    """A deal's page."""

    def _entity(self) -> str:
        return "deal"
