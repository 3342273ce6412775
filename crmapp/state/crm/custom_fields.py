"""Settings → Custom fields: add, rename, change options, delete."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp.services.crm import custom_fields
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
        done = self._service(custom_fields.list_fields, self.entity)
        if not done.ok:
            return done.toast
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
            for f in done.value
        ]
        return None

    @rx.event
    def set_entity(self, value: str | list[str]):
        """Show the fields of contacts, companies or deals."""
        self.entity = value if isinstance(value, str) else value[0]
        self._clear_form()
        return FieldsState.load

    @rx.event
    def reset_form(self):
        """Back to adding a new field."""
        self._clear_form()

    def _clear_form(self) -> None:
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
        options = [line for line in self.options.splitlines() if line.strip()]
        if self.editing_id:
            done = self._service(
                custom_fields.update_field,
                uuid.UUID(self.editing_id),
                label=self.label,
                options=options,
            )
        else:
            done = self._service(
                custom_fields.create_field,
                self.entity,
                label=self.label,
                field_type=self.field_type,
                options=options,
            )
        self.errors = done.fields
        if not done.ok:
            return None if done.fields else done.toast
        message = "Field saved." if self.editing_id else f"Added “{self.label.strip()}”."
        self._clear_form()
        return [FieldsState.load, rx.toast.success(message)]

    @rx.event
    def delete(self, field_id: str):
        """Remove a field (after confirmation in the page)."""
        done = self._service(custom_fields.delete_field, uuid.UUID(field_id))
        if not done.ok:
            return done.toast
        return [FieldsState.load, rx.toast.success(f"Removed “{done.value}”.")]
