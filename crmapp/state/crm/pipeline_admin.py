"""Settings → Pipelines: pipelines and their ordered stages (Admins and Owners edit)."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx

from crmapp.services.crm import pipeline_admin
from crmapp.services.platform.wording import noun_for, plural
from crmapp.state.session import Outcome, SessionState


def _stage_fields(form: dict) -> dict[str, str]:
    """A stage's name, kind and probability as its form has them."""
    return {
        "name": str(form.get("name", "")),
        "kind": str(form.get("kind", "open")),
        "probability": str(form.get("probability", "")),
    }


def _deals_here(count: int) -> str:
    return (
        f"{plural(count, 'deal')} {noun_for(count, 'is')} in this stage. "
        f"Move {noun_for(count, 'it')} to:"
    )


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
        done = self._service(pipeline_admin.list_pipelines)
        if not done.ok:
            return done.toast
        views = done.value
        self.pipelines = [
            {
                "id": str(v.pipeline.id),
                "name": v.pipeline.name,
                "default": "1" if v.pipeline.is_default else "",
                "deals": str(sum(v.deals.values())),
                "signed_stage": str(v.signed_stage.id),
            }
            for v in views
        ]
        self.stages = [
            {
                "id": str(s.id),
                "pipeline_id": str(v.pipeline.id),
                "name": s.name,
                "kind": s.kind,
                "probability": str(s.probability),
                "deals": str(v.deals.get(s.id, 0)),
                "deals_text": plural(v.deals.get(s.id, 0), "deal"),
                "deals_here": _deals_here(v.deals.get(s.id, 0)),
                "first": "1" if i == 0 else "",
                "last": "1" if i == len(v.stages) - 1 else "",
            }
            for v in views
            for i, s in enumerate(v.stages)
        ]
        return None

    def _show(self, key: str, done: Outcome[Any], message: str = ""):
        """A refused change under pipeline `key` (any other failure as a toast); else the
        pipelines as they are now."""
        self.errors = {k: v for k, v in self.errors.items() if k != key}
        if done.fields:
            self.errors = {**self.errors, key: done.error}
            return None
        if not done.ok:
            return done.toast
        return [PipelinesAdminState.load, *([rx.toast.success(message)] if message else [])]

    @rx.event
    def create_pipeline(self, form: dict):
        """Add a pipeline with the default stages."""
        name = str(form.get("name", ""))
        done = self._service(pipeline_admin.create_pipeline, name)
        return self._show("new", done, f"Added “{name}”.")

    @rx.event
    def rename_pipeline(self, form: dict):
        """Rename a pipeline (its form carries the id)."""
        pid, name = str(form.get("pipeline_id", "")), str(form.get("name", ""))
        done = self._service(pipeline_admin.rename_pipeline, uuid.UUID(pid), name)
        return self._show(pid, done, "Saved.")

    @rx.event
    def make_default(self, pipeline_id: str):
        """New deals and imports go to this pipeline."""
        done = self._service(pipeline_admin.make_default, uuid.UUID(pipeline_id))
        return self._show(pipeline_id, done, "Default pipeline changed.")

    @rx.event
    def set_signed_stage(self, pipeline_id: str, stage_id: str):
        """Choose the stage a signed proposal moves this pipeline's deals to."""
        done = self._service(
            pipeline_admin.set_signed_stage, uuid.UUID(pipeline_id), uuid.UUID(stage_id)
        )
        return self._show(
            pipeline_id, done, "Saved: signed proposals move their deals to this stage."
        )

    @rx.event
    def delete_pipeline(self, pipeline_id: str):
        """Delete a pipeline no deal uses."""
        done = self._service(pipeline_admin.delete_pipeline, uuid.UUID(pipeline_id))
        return self._show(pipeline_id, done, "Pipeline deleted.")

    @rx.event
    def add_stage(self, form: dict):
        """Add a stage to the pipeline named in the form."""
        pid = str(form.get("pipeline_id", ""))
        done = self._service(pipeline_admin.add_stage, uuid.UUID(pid), **_stage_fields(form))
        return self._show(pid, done, "Stage added.")

    @rx.event
    def save_stage(self, form: dict):
        """Save a stage's name, kind and probability."""
        sid, pid = str(form.get("stage_id", "")), str(form.get("pipeline_id", ""))
        done = self._service(pipeline_admin.update_stage, uuid.UUID(sid), **_stage_fields(form))
        return self._show(pid, done, "Stage saved.")

    @rx.event
    def move_stage(self, stage_id: str, pipeline_id: str, offset: int):
        """Move a stage left (-1) or right (+1)."""
        done = self._service(pipeline_admin.move_stage, uuid.UUID(stage_id), offset)
        return self._show(pipeline_id, done)

    @rx.event
    def delete_stage(self, form: dict):
        """Delete a stage, moving its deals to the stage chosen in the form."""
        sid, pid = str(form.get("stage_id", "")), str(form.get("pipeline_id", ""))
        target = str(form.get("move_to", ""))
        done = self._service(
            pipeline_admin.delete_stage, uuid.UUID(sid), uuid.UUID(target) if target else None
        )
        return self._show(pid, done, "Stage deleted.")
