"""Settings → Custom fields: add, rename, change options, delete."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.crm import custom_fields
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError
from crmapp.state.session import SessionState


class FieldsState(SessionState):
    """The custom fields of one entity at a time."""

    entity: str = "contact"
    items: list[dict[str, str]] = []
    editing_id: str = ""
    label: str = ""
    field_type: str = "text"
    options: str = ""
    errors: dict[str, str] = {}

    @rx.var
    def can_manage(self) -> bool:
        """Whether the role may change custom fields."""
        return "fields.manage" in self.perms

    @rx.event
    def load(self):
        """Fetch the fields of the chosen entity."""
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            defs = custom_fields.list_fields(session, actor, self.entity)
        self.items = [
            {
                "id": str(f.id),
                "label": f.label,
                "key": f.key,
                "type": custom_fields.TYPE_LABELS[f.field_type],
                "raw_type": f.field_type,
                "options": ", ".join(f.options),
                "options_lines": "\n".join(f.options),
            }
            for f in defs
        ]

    @rx.event
    def set_entity(self, value: str | list[str]):
        """Show the fields of contacts, companies or deals."""
        self.entity = value if isinstance(value, str) else value[0]
        self.reset_form()
        return FieldsState.load

    @rx.event
    def reset_form(self):
        """Back to adding a new field."""
        self.editing_id, self.label, self.field_type, self.options = "", "", "text", ""
        self.errors = {}

    @rx.event
    def edit(self, field_id: str):
        """Fill the form with one field to rename it or change its options."""
        item = next((i for i in self.items if i["id"] == field_id), None)
        if item is None:
            return
        self.editing_id, self.label = field_id, item["label"]
        self.field_type, self.options = item["raw_type"], item["options_lines"]
        self.errors = {}

    @rx.event
    def set_label(self, value: str):
        """Type the field's name."""
        self.label = value

    @rx.event
    def set_field_type(self, value: str):
        """Choose the field's type."""
        self.field_type = value

    @rx.event
    def set_options(self, value: str):
        """Type a select field's options, one per line."""
        self.options = value

    @rx.event
    def save(self):
        """Add the field, or save the one being edited."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        options = [line for line in self.options.splitlines() if line.strip()]
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                if self.editing_id:
                    custom_fields.update_field(session, actor, uuid.UUID(self.editing_id),
                                               label=self.label, options=options)  # fmt: skip
                else:
                    custom_fields.create_field(
                        session, actor, self.entity, label=self.label,
                        field_type=self.field_type, options=options,
                    )  # fmt: skip
        except ValidationError as err:
            self.errors = err.fields
            return None
        except ServiceError as err:
            return rx.toast.error(str(err))
        message = "Field saved." if self.editing_id else f"Added “{self.label.strip()}”."
        self.reset_form()
        return [FieldsState.load, rx.toast.success(message)]

    @rx.event
    def delete(self, field_id: str):
        """Remove a field (after confirmation in the page)."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                label = custom_fields.delete_field(session, actor, uuid.UUID(field_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        return [FieldsState.load, rx.toast.success(f"Removed “{label}”.")]
