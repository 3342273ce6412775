"""The proposal editor: load, write (streamed from the job through Redis), edit, re-prompt.

Lifecycle actions (review, approval, send, links, paid, PDF) live in `ProposalFlowMixin`.
"""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.ai import budget, gateway
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.proposals import documents, editor_view, generation
from crmapp.state.proposals.editor_lifecycle import ProposalFlowMixin
from crmapp.state.session import SessionState
from jobs.proposals import enqueue_writing, job_state

READ_BLOCK_MS = 250


class ProposalState(ProposalFlowMixin, SessionState):
    """One proposal in the editor."""

    loaded: bool = False
    missing: str = ""
    doc: dict[str, str] = {}
    sections: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    diff: list[dict[str, str]] = []
    sources: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    totals: dict[str, str] = {}
    versions: list[dict[str, str]] = []
    budget_level: str = "ok"
    budget_text: str = ""
    offline_only: bool = False
    stream_text: str = ""
    following: bool = False
    error: str = ""
    field_errors: dict[str, str] = {}
    pricing_key: int = 0  # bumped to show the table as saved (its inputs are uncontrolled)

    @rx.var
    def running(self) -> bool:
        """Whether a generation is queued or streaming."""
        return self.doc.get("generation", "") in ("queued", "streaming")

    @rx.var
    def editable(self) -> bool:
        """Whether the content can be changed now."""
        return self.can_write and self.doc.get("status", "") == "draft" and not self.running

    @rx.var
    def writing_section(self) -> int:
        """The section being rewritten (-1: the whole document or none)."""
        return int(self.doc.get("target_section", "-1") or -1) if self.running else -1

    def _proposal_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.router.page.params.get("proposal_id", "")))
        except ValueError:
            return None

    def _reload(self) -> bool:
        actor, proposal_id = self._actor(), self._proposal_id()
        if actor is None or proposal_id is None:
            self.missing = "Proposal not found."
            return False
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                data = editor_view.editor_view(session, actor, proposal_id, self._tz())
                level = budget.state(session, actor.org_id)
        except ServiceError as err:
            self.missing = str(err)
            return False
        self.missing = ""
        self.doc, self.sections, self.pending = data.doc, data.sections, data.pending
        self.diff, self.sources, self.items = data.diff, data.sources, data.items
        self.totals, self.versions = data.totals, data.versions
        self.links, self.views, self.signature = data.links, data.views, data.signature
        self.budget_level = level.level.value
        self.budget_text = (
            f"${level.spent_usd:,.2f} of ${level.budget_usd:,.2f} this month ({level.share:.0%})"
        )
        self.offline_only = gateway.offline_only()
        self.loaded = True
        return True

    @rx.event
    def load(self):
        """Open the proposal; re-attach to a generation in flight."""
        self.loaded, self.stream_text, self.error, self.field_errors = False, "", "", {}
        self.share_url = ""
        if not self._reload():
            return None
        return ProposalState.follow if self.running else None

    @rx.event
    def generate(self, form: dict):
        """Write the whole proposal with the chosen voice (one run at a time)."""
        return self._start(None, "", str(form.get("voice", "")))

    @rx.event
    def reprompt(self, form: dict):
        """Rewrite one section following an instruction."""
        try:
            index = int(form.get("section", ""))
        except ValueError:
            return rx.toast.error("Pick a section.")
        return self._start(index, str(form.get("instruction", "")), "")

    def _start(self, section: int | None, instruction: str, voice: str):
        actor, proposal_id = self._actor(), self._proposal_id()
        if actor is None or proposal_id is None:
            return rx.redirect(routes.LOGIN)
        self.error, self.field_errors = "", {}
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                if voice:
                    documents.set_voice(session, actor, proposal_id, voice)
                request_id = generation.start(
                    session, actor, proposal_id, section=section, instruction=instruction
                )
            enqueue_writing(proposal_id, actor.org_id, actor.user_id, request_id)
        except gateway.BudgetExceeded as err:
            self.error = str(err)
            return None
        except ServiceError as err:
            self.field_errors = getattr(err, "fields", {})
            return rx.toast.error(str(err))
        # No full reload here: the job is already starting, and the page follows its stream.
        self.stream_text = ""
        self.pending, self.diff = {}, []
        self.doc = {**self.doc, "generation": "queued", "request": request_id,
                    "target_section": str(-1 if section is None else section),
                    "generation_error": ""}  # fmt: skip
        return ProposalState.follow

    @rx.event
    def cancel(self):
        """Stop the run in progress."""
        actor, proposal_id = self._actor(), self._proposal_id()
        if actor is None or proposal_id is None:
            return rx.redirect(routes.LOGIN)
        gone = not _alive(self.doc.get("request", ""))
        with tenant_session(actor.org_id, actor.user_id) as session:
            generation.cancel(session, actor, proposal_id, job_gone=gone)
        self._reload()
        return None

    @rx.event(background=True)
    async def follow(self):
        """Read the run's stream from its start and append the text as it arrives."""
        async with self:
            if self.following:
                return
            self.following = True
            request_id = self.doc.get("request", "")
            self.stream_text = ""
        last, idle = "0", 0
        try:
            while request_id:
                text, after, end = await asyncio.to_thread(
                    generation.read_stream, request_id, last, block_ms=READ_BLOCK_MS
                )
                if text:
                    async with self:
                        self.stream_text += text
                        if self.doc.get("generation") == "queued":
                            self.doc = {**self.doc, "generation": "streaming"}
                if end:
                    break
                idle = 0 if after != last else idle + 1
                last = after
                if idle and idle % 8 == 0 and not await asyncio.to_thread(_alive, request_id):
                    break  # the job is gone (worker stopped): reload shows the saved state
        finally:
            async with self:
                self.following = False
                self._reload()

    @rx.event
    def save_section(self, index: int, html: str):
        """Autosave a section's text (from the editor, on pause and on blur)."""
        return self._call(documents.save_section, index, html, quiet=True)

    @rx.event
    def add_section(self, form: dict):
        """Append a section."""
        return self._call(documents.add_section, str(form.get("title", "")))

    @rx.event
    def remove_section(self, index: int):
        """Delete a section."""
        return self._call(documents.remove_section, index)

    @rx.event
    def save_title(self, form: dict):
        """Rename the proposal."""
        return self._call(documents.save_title, str(form.get("title", "")))

    @rx.event
    def accept_pending(self):
        """Take the rewritten section."""
        return self._call(generation.accept_pending)

    @rx.event
    def reject_pending(self):
        """Keep the section as it was."""
        return self._call(generation.reject_pending)

    @rx.event
    def add_line(self):
        """A new empty pricing line (saved with the table)."""
        self.items = [*self.items, {"description": "", "quantity": "1", "unit_price": "",
                                    "total": ""}]  # fmt: skip

    @rx.event
    def save_pricing(self, form: dict):
        """Save the pricing table as typed; errors name the row."""
        rows = [
            {key: str(form.get(f"{key}_{i}", "")) for key in ("description", "quantity",
                                                               "unit_price")}
            for i in range(len(self.items))
        ]  # fmt: skip
        result = self._call(
            documents.save_pricing, rows,
            discount=str(form.get("discount", "0")), tax=str(form.get("tax", "0")),
        )  # fmt: skip
        if not self.field_errors:
            self.pricing_key += 1
        return result

    @rx.event
    def restore_version(self, number: int):
        """Bring back an earlier version (as a new one)."""
        result = self._call(documents.restore_version, int(number))
        self.pricing_key += 1
        return result


def _alive(request_id: str) -> bool:
    return job_state(request_id) in ("queued", "started", "deferred", "scheduled")
