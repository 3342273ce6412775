"""A create / edit form for a contact, company or deal: its full field set and custom fields."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from crmapp.services.crm import custom_fields, record_forms, records
from crmapp.services.platform.actor import Actor
from crmapp.state.session import SessionState


class RecordFormMixin(SessionState, mixin=True):
    """A create / edit form for one record with its full field set and custom fields (a mixin:
    each page that has the form keeps its own)."""

    form_open: bool = False
    form_id: str = ""
    form: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    form_error: str = ""
    custom_defs: list[dict[str, str]] = []
    company_options: list[dict[str, str]] = []
    contact_options: list[dict[str, str]] = []
    stage_options: list[dict[str, str]] = []
    owner_options: list[dict[str, str]] = []
    last_saved: str = ""

    def _entity(self) -> str:
        raise NotImplementedError

    def _after_save(self) -> list[Any]:
        """The events that show the page as it is after a save."""
        return []

    def _load_options(self, session: Session, actor: Actor) -> None:
        entity = self._entity()
        self.custom_defs = [
            {
                "key": f"custom.{f.key}",
                "label": f.label,
                "type": f.field_type,
                "options": "|".join(f.options),
            }
            for f in custom_fields.list_fields(session, actor, entity)
        ]
        options = record_forms.reference_options(session, actor, entity)
        self.company_options = options["company"]
        self.contact_options = options["contact"]
        self.stage_options = options["stage"]
        self.owner_options = options["user"]

    def _edit_values(self, session: Session, actor: Actor, record_id: uuid.UUID) -> None:
        """The options, and the form filled with one record."""
        self._load_options(session, actor)
        row = records.get_record(session, actor, self._entity(), record_id)
        self.form = record_forms.form_values(self._entity(), row)

    @rx.event
    def open_new(self):
        """An empty form."""
        done = self._service(self._load_options)
        if not done.ok:
            return done.toast
        self.form = record_forms.blank_form(self._entity(), self._user_id)
        self.form_id, self.form_errors, self.form_error = "", {}, ""
        self.form_open = True
        return None

    @rx.event
    def open_edit(self, record_id: str):
        """The form filled with one record."""
        done = self._service(self._edit_values, uuid.UUID(record_id))
        if not done.ok:
            return done.toast
        self.form_id, self.form_errors, self.form_error = record_id, {}, ""
        self.form_open = True
        return None

    @rx.event
    def set_form_open(self, value: bool):
        """Close (or open) the form."""
        self.form_open = value

    @rx.event
    def save_form(self, data: dict):
        """Create or update; every bad field keeps its message in the open form."""
        values = {k: ("" if v == "-" else str(v)) for k, v in data.items()}
        builtin = {k: v for k, v in values.items() if not k.startswith("custom.")}
        custom = {k[len("custom.") :]: v for k, v in values.items() if k.startswith("custom.")}
        record_id = uuid.UUID(self.form_id) if self.form_id else None
        done = self._service(records.save_record, self._entity(), record_id, builtin, custom)
        self.form_errors, self.form_error = done.fields, done.form_error
        if done.fields:
            self.form = {**self.form, **values}
        if not done.ok:
            return done.login
        created = not self.form_id
        self.form_open = False
        noun = records.NOUNS[self._entity()]
        self.last_saved = str(done.value.id)
        return [
            *self._after_save(),
            rx.toast.success(f"{noun} added." if created else f"{noun} saved."),
        ]
