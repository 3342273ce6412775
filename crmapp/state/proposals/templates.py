"""Proposals → Templates: the organisation's templates and their sections (Owner/Admin edit)."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp.services.proposals import templates
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import SessionState


class TemplatesState(SessionState):
    """The list, and the template being edited (`editing` = its id, "new", or "")."""

    rows: list[dict[str, str]] = []
    editing: str = ""
    name: str = ""
    description: str = ""
    sections: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.var
    def can_manage(self) -> bool:
        """Whether the role may edit templates."""
        return Perm.TEMPLATES_MANAGE.value in self.perms

    @rx.event
    def load(self):
        """The organisation's templates (built-ins created on first visit)."""
        done = self._service(templates.list_templates)
        if not done.ok:
            return done.toast
        self.rows = [
            {
                "id": str(t.id),
                "name": t.name,
                "description": t.description,
                "kind": t.kind,
                "sections": str(len(t.sections)),
                "builtin": "1" if t.builtin else "",
            }
            for t in done.value
        ]
        return None

    @rx.event
    def edit(self, template_id: str):
        """Open a template (or a blank one with "new") in the form."""
        self.errors, self.form_key = {}, self.form_key + 1
        if template_id == "new":
            self.editing, self.name, self.description = "new", "", ""
            self.sections = [{"title": "", "guidance": ""} for _ in range(3)]
            return None
        done = self._service(templates.get_template, uuid.UUID(template_id))
        if not done.ok:
            return done.toast
        template = done.value
        self.editing, self.name, self.description = template_id, template.name, template.description
        self.sections = [dict(s) for s in template.sections]
        return None

    @rx.event
    def add_row(self, form: dict):
        """One more section row (keeps what was typed)."""
        self._take(form)
        self.sections = [*self.sections, {"title": "", "guidance": ""}]
        self.form_key += 1

    def _take(self, form: dict) -> None:
        self.name = str(form.get("name", self.name))
        self.description = str(form.get("description", self.description))
        self.sections = [
            {
                "title": str(form.get(f"title_{i}", "")),
                "guidance": str(form.get(f"guidance_{i}", "")),
            }
            for i in range(len(self.sections))
        ]

    @rx.event
    def save(self, form: dict):
        """Save the template; errors stay on the form."""
        self._take(form)
        done = self._service(
            templates.save_template,
            template_id=None if self.editing == "new" else uuid.UUID(self.editing),
            name=self.name,
            description=self.description,
            sections=self.sections,
        )
        if not done.ok:
            self.errors = done.fields or ({"form": done.error} if done.error else {})
            return done.login
        self.editing, self.errors = "", {}
        return [TemplatesState.load, rx.toast.success("Template saved.")]

    @rx.event
    def archive(self, template_id: str):
        """Hide a template from new proposals."""
        done = self._service(templates.archive_template, uuid.UUID(template_id))
        if not done.ok:
            return done.toast
        self.editing = ""
        return TemplatesState.load

    @rx.event
    def close(self):
        """Leave the form."""
        self.editing, self.errors = "", {}
