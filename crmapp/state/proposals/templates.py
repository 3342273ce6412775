"""Proposals → Templates: the organisation's templates and their sections (Owner/Admin edit)."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
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
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.rows = [
                {"id": str(t.id), "name": t.name, "description": t.description,
                 "kind": t.kind, "sections": str(len(t.sections)),
                 "builtin": "1" if t.builtin else ""}
                for t in templates.list_templates(session, actor)
            ]  # fmt: skip

    @rx.event
    def edit(self, template_id: str):
        """Open a template (or a blank one with "new") in the form."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors, self.form_key = {}, self.form_key + 1
        if template_id == "new":
            self.editing, self.name, self.description = "new", "", ""
            self.sections = [{"title": "", "guidance": ""} for _ in range(3)]
            return None
        with tenant_session(actor.org_id, actor.user_id) as session:
            template = templates.get_template(session, actor, uuid.UUID(template_id))
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
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._take(form)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                templates.save_template(
                    session, actor,
                    template_id=None if self.editing == "new" else uuid.UUID(self.editing),
                    name=self.name, description=self.description, sections=self.sections,
                )  # fmt: skip
        except ServiceError as err:
            self.errors = getattr(err, "fields", {}) or {"form": str(err)}
            return None
        self.editing, self.errors = "", {}
        return [TemplatesState.load, rx.toast.success("Template saved.")]

    @rx.event
    def archive(self, template_id: str):
        """Hide a template from new proposals."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                templates.archive_template(session, actor, uuid.UUID(template_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.editing = ""
        return TemplatesState.load

    @rx.event
    def close(self):
        """Leave the form."""
        self.editing, self.errors = "", {}
