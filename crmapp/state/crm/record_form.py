"""A create / edit form for a contact, company or deal: its full field set and custom fields."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.crm import custom_fields, record_forms, records
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError


class RecordFormMixin(rx.State, mixin=True):
    """A create / edit form for one record with its full field set and custom fields."""

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

    def _after_save(self):
        return None

    def _load_options(self, session, actor) -> None:
        entity = self._entity()
        self.custom_defs = [
            {"key": f"custom.{f.key}", "label": f.label, "type": f.field_type,
             "options": "|".join(f.options)}
            for f in custom_fields.list_fields(session, actor, entity)
        ]  # fmt: skip
        options = record_forms.reference_options(session, actor, entity)
        self.company_options = options["company"]
        self.contact_options = options["contact"]
        self.stage_options = options["stage"]
        self.owner_options = options["user"]

    @rx.event
    def open_new(self):
        """An empty form."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with tenant_session(actor.org_id, actor.user_id) as session:
            self._load_options(session, actor)
        self.form = record_forms.blank_form(self._entity(), str(actor.user_id))
        self.form_id, self.form_errors, self.form_error = "", {}, ""
        self.form_open = True
        return None

    @rx.event
    def open_edit(self, record_id: str):
        """The form filled with one record."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                self._load_options(session, actor)
                row = records.get_record(session, actor, self._entity(), uuid.UUID(record_id))
                self.form = record_forms.form_values(self._entity(), row)
        except (ServiceError, ValueError) as err:
            return rx.toast.error(str(err))
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
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        values = {k: ("" if v == "-" else str(v)) for k, v in data.items()}
        builtin = {k: v for k, v in values.items() if not k.startswith("custom.")}
        custom = {k[len("custom.") :]: v for k, v in values.items() if k.startswith("custom.")}
        self.form_errors, self.form_error = {}, ""
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                row = records.save_record(
                    session, actor, self._entity(),
                    uuid.UUID(self.form_id) if self.form_id else None, builtin, custom,
                )  # fmt: skip
                saved_id = str(row.id)
        except ValidationError as err:
            self.form_errors = err.fields
            self.form = {**self.form, **values}
            return None
        except ServiceError as err:
            self.form_error = str(err)
            return None
        created = not self.form_id
        self.form_open = False
        noun = records.NOUNS[self._entity()]
        self.last_saved = saved_id
        return [
            *(self._after_save() or []),
            rx.toast.success(f"{noun} added." if created else f"{noun} saved."),
        ]
