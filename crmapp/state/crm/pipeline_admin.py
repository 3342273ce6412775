"""Settings → Pipelines: pipelines and their ordered stages (Admins and Owners edit)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import reflex as rx

from crmapp import routes
from crmapp.services.crm import pipeline_admin
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError
from crmapp.services.platform.wording import noun_for, plural
from crmapp.state.session import SessionState


def _deals_here(count: int) -> str:
    return (f"{plural(count, 'deal')} {noun_for(count, 'is')} in this stage. "
            f"Move {noun_for(count, 'it')} to:")  # fmt: skip


class PipelinesAdminState(SessionState):
    """Every pipeline with its stages; one error line per pipeline."""

    pipelines: list[dict[str, str]] = []
    stages: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    @rx.var
    def can_manage(self) -> bool:
        """Whether the role may change pipelines."""
        return "pipeline.manage" in self.perms

    @rx.event
    def load(self):
        """Fetch every pipeline and stage."""
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            views = pipeline_admin.list_pipelines(session, actor)
        self.pipelines = [
            {"id": str(v.pipeline.id), "name": v.pipeline.name,
             "default": "1" if v.pipeline.is_default else "",
             "deals": str(sum(v.deals.values())), "signed_stage": str(v.signed_stage.id)}
            for v in views
        ]  # fmt: skip
        self.stages = [
            {"id": str(s.id), "pipeline_id": str(v.pipeline.id), "name": s.name, "kind": s.kind,
             "probability": str(s.probability), "deals": str(v.deals.get(s.id, 0)),
             "deals_text": plural(v.deals.get(s.id, 0), "deal"),
             "deals_here": _deals_here(v.deals.get(s.id, 0)),
             "first": "1" if i == 0 else "", "last": "1" if i == len(v.stages) - 1 else ""}
            for v in views
            for i, s in enumerate(v.stages)
        ]  # fmt: skip

    def _run(self, key: str, action: Callable, done: str = ""):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors = {k: v for k, v in self.errors.items() if k != key}
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                action(session, actor)
        except ValidationError as err:
            self.errors = {**self.errors, key: str(err)}
            return None
        except (ServiceError, ValueError) as err:
            return rx.toast.error(str(err))
        self.load()
        return rx.toast.success(done) if done else None

    @rx.event
    def create_pipeline(self, form: dict):
        """Add a pipeline with the default stages."""
        name = str(form.get("name", ""))
        return self._run(
            "new", lambda s, a: pipeline_admin.create_pipeline(s, a, name), f"Added “{name}”."
        )

    @rx.event
    def rename_pipeline(self, form: dict):
        """Rename a pipeline (its form carries the id)."""
        pid, name = str(form.get("pipeline_id", "")), str(form.get("name", ""))
        return self._run(
            pid, lambda s, a: pipeline_admin.rename_pipeline(s, a, uuid.UUID(pid), name), "Saved."
        )

    @rx.event
    def make_default(self, pipeline_id: str):
        """New deals and imports go to this pipeline."""
        return self._run(
            pipeline_id,
            lambda s, a: pipeline_admin.make_default(s, a, uuid.UUID(pipeline_id)),
            "Default pipeline changed.",
        )

    @rx.event
    def set_signed_stage(self, pipeline_id: str, stage_id: str):
        """Choose the stage a signed proposal moves this pipeline's deals to."""
        return self._run(
            pipeline_id,
            lambda s, a: pipeline_admin.set_signed_stage(
                s, a, uuid.UUID(pipeline_id), uuid.UUID(stage_id)
            ),
            "Saved: signed proposals move their deals to this stage.",
        )

    @rx.event
    def delete_pipeline(self, pipeline_id: str):
        """Delete a pipeline no deal uses."""
        return self._run(
            pipeline_id,
            lambda s, a: pipeline_admin.delete_pipeline(s, a, uuid.UUID(pipeline_id)),
            "Pipeline deleted.",
        )

    @rx.event
    def add_stage(self, form: dict):
        """Add a stage to the pipeline named in the form."""
        pid = str(form.get("pipeline_id", ""))
        return self._run(
            pid,
            lambda s, a: pipeline_admin.add_stage(
                s,
                a,
                uuid.UUID(pid),
                name=str(form.get("name", "")),
                kind=str(form.get("kind", "open")),
                probability=str(form.get("probability", "")),
            ),
            "Stage added.",
        )

    @rx.event
    def save_stage(self, form: dict):
        """Save a stage's name, kind and probability."""
        sid, pid = str(form.get("stage_id", "")), str(form.get("pipeline_id", ""))
        return self._run(
            pid,
            lambda s, a: pipeline_admin.update_stage(
                s,
                a,
                uuid.UUID(sid),
                name=str(form.get("name", "")),
                kind=str(form.get("kind", "open")),
                probability=str(form.get("probability", "")),
            ),
            "Stage saved.",
        )

    @rx.event
    def move_stage(self, stage_id: str, pipeline_id: str, offset: int):
        """Move a stage left (-1) or right (+1)."""
        return self._run(
            pipeline_id,
            lambda s, a: pipeline_admin.move_stage(s, a, uuid.UUID(stage_id), offset),
        )

    @rx.event
    def delete_stage(self, form: dict):
        """Delete a stage, moving its deals to the stage chosen in the form."""
        sid, pid = str(form.get("stage_id", "")), str(form.get("pipeline_id", ""))
        target = str(form.get("move_to", ""))
        return self._run(
            pid,
            lambda s, a: pipeline_admin.delete_stage(
                s, a, uuid.UUID(sid), uuid.UUID(target) if target else None
            ),
            "Stage deleted.",
        )
