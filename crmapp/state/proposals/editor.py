"""The proposal editor: load, write (streamed from the job through Redis), edit, re-prompt, and
the lifecycle actions (review and approval, send and links, paid, PDF)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from crmapp.services.ai import budget, gateway
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound
from crmapp.services.proposals import documents, editor_view, export, generation, lifecycle, sharing
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import Outcome, SessionState
from jobs.proposals import enqueue_writing, job_state

READ_BLOCK_MS = 250


class ProposalState(SessionState):
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
    links: list[dict[str, str]] = []
    views: list[dict[str, str]] = []
    signature: dict[str, str] = {}
    flags: list[dict[str, str]] = []  # untraced figures and internal facts, per section
    flag_summary: str = ""
    removed: list[dict[str, str]] = []  # sentences the draft check took out of the last draft
    open_source: dict[str, str] = {}  # the passage shown in the side panel
    share_url: str = ""
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

    @rx.var
    def can_approve(self) -> bool:
        """Whether the user may approve proposals and mark them paid."""
        return Perm.PROPOSAL_APPROVE.value in self.perms

    def _proposal_id(self) -> uuid.UUID:
        try:
            return uuid.UUID(str(self.router.page.params.get("proposal_id", "")))
        except ValueError:
            raise NotFound("Proposal not found.") from None

    def _reload(self) -> bool:
        def read(session: Session, actor: Actor):
            data = editor_view.editor_view(session, actor, self._proposal_id(), self._tz())
            return data, budget.state(session, actor.org_id)

        done = self._service(read)
        if not done.ok:
            self.missing = done.error or "Proposal not found."
            return False
        data, level = done.value
        self.missing = ""
        self.doc, self.sections, self.pending = data.doc, data.sections, data.pending
        self.diff, self.sources, self.items = data.diff, data.sources, data.items
        self.totals, self.versions = data.totals, data.versions
        self.links, self.views, self.signature = data.links, data.views, data.signature
        self.flags, self.flag_summary, self.removed = data.flags, data.flag_summary, data.removed
        self.budget_level = level.level.value
        self.budget_text = (
            f"${level.spent_usd:,.2f} of ${level.budget_usd:,.2f} this month ({level.share:.0%})"
        )
        self.offline_only = gateway.offline_only()
        self.loaded = True
        return True

    def _shown(self, done: Outcome[Any], *, quiet: bool = False):
        """The proposal as it is after a change, with what went wrong (or "Saved.")."""
        if done.login is not None:
            return done.login
        self.error, self.field_errors = "", done.fields
        self._reload()
        if not done.ok:
            return done.toast
        if isinstance(done.value, str) and done.value.startswith("http"):
            self.share_url = done.value
        return None if quiet else rx.toast.success("Saved.")

    @rx.event
    def load(self):
        """Open the proposal; re-attach to a generation in flight."""
        self.loaded, self.stream_text, self.error, self.field_errors = False, "", "", {}
        self.share_url = ""
        if not self._reload():
            return None
        return ProposalState.follow if self.running else None

    # -- writing -----------------------------------------------------------------------------

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
        proposal_id = self._proposal_id()

        def start(session: Session, actor: Actor) -> tuple[str, Actor]:
            if voice:
                documents.set_voice(session, actor, proposal_id, voice)
            request_id = generation.start(
                session, actor, proposal_id, section=section, instruction=instruction
            )
            return request_id, actor

        done = self._service(start)
        budget_spent = isinstance(done.failure, gateway.BudgetExceeded)
        self.error, self.field_errors = (done.error if budget_spent else ""), done.fields
        if budget_spent:
            return None
        if not done.ok:
            return done.toast
        request_id, actor = done.value
        enqueue_writing(proposal_id, actor.org_id, actor.user_id, request_id)
        # No full reload here: the job is already starting, and the page follows its stream.
        self.stream_text = ""
        self.pending, self.diff = {}, []
        self.doc = {
            **self.doc,
            "generation": "queued",
            "request": request_id,
            "target_section": str(-1 if section is None else section),
            "generation_error": "",
        }
        return ProposalState.follow

    @rx.event
    def cancel(self):
        """Stop the run in progress."""
        gone = not _alive(self.doc.get("request", ""))
        done = self._service(generation.cancel, self._proposal_id(), job_gone=gone)
        self._reload()
        return done.toast

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
    def show_source(self, index: str):
        """Open a passage's text in the side panel (again: close it)."""
        row = next((s for s in self.sources if s.get("index") == index), {})
        self.open_source = {} if self.open_source.get("index") == index else row

    # -- editing -----------------------------------------------------------------------------

    @rx.event
    def save_section(self, index: int, html: str):
        """Autosave a section's text (from the editor, on pause and on blur)."""
        done = self._service(documents.save_section, self._proposal_id(), index, html)
        return self._shown(done, quiet=True)

    @rx.event
    def add_section(self, form: dict):
        """Append a section."""
        title = str(form.get("title", ""))
        return self._shown(self._service(documents.add_section, self._proposal_id(), title))

    @rx.event
    def remove_section(self, index: int):
        """Delete a section."""
        return self._shown(self._service(documents.remove_section, self._proposal_id(), index))

    @rx.event
    def save_title(self, form: dict):
        """Rename the proposal."""
        title = str(form.get("title", ""))
        return self._shown(self._service(documents.save_title, self._proposal_id(), title))

    @rx.event
    def accept_pending(self):
        """Take the rewritten section."""
        return self._shown(self._service(generation.accept_pending, self._proposal_id()))

    @rx.event
    def reject_pending(self):
        """Keep the section as it was."""
        return self._shown(self._service(generation.reject_pending, self._proposal_id()))

    @rx.event
    def add_line(self):
        """A new empty pricing line (saved with the table)."""
        self.items = [
            *self.items,
            {"description": "", "quantity": "1", "unit_price": "", "total": ""},
        ]

    @rx.event
    def save_pricing(self, form: dict):
        """Save the pricing table as typed; errors name the row."""
        rows = [
            {
                key: str(form.get(f"{key}_{i}", ""))
                for key in ("description", "quantity", "unit_price")
            }
            for i in range(len(self.items))
        ]
        done = self._service(
            documents.save_pricing,
            self._proposal_id(),
            rows,
            discount=str(form.get("discount", "0")),
            tax=str(form.get("tax", "0")),
        )
        if not done.fields:
            self.pricing_key += 1
        return self._shown(done)

    @rx.event
    def restore_version(self, number: int):
        """Bring back an earlier version (as a new one)."""
        done = self._service(documents.restore_version, self._proposal_id(), int(number))
        self.pricing_key += 1
        return self._shown(done)

    # -- lifecycle ---------------------------------------------------------------------------

    @rx.event
    def submit_review(self):
        """Ask an Owner or Admin to approve."""
        return self._shown(self._service(lifecycle.submit_for_review, self._proposal_id()))

    @rx.event
    def approve(self):
        """Approve (Owner/Admin)."""
        return self._shown(self._service(lifecycle.approve, self._proposal_id()))

    @rx.event
    def request_changes(self, form: dict):
        """Send back to draft with a note (Owner/Admin)."""
        note = str(form.get("note", ""))
        return self._shown(self._service(lifecycle.request_changes, self._proposal_id(), note))

    @rx.event
    def withdraw(self):
        """Take it out of review."""
        return self._shown(self._service(lifecycle.withdraw, self._proposal_id()))

    @rx.event
    def send(self, form: dict):
        """Send: freeze the content and create a tracked link."""
        days = str(form.get("expires_days", "30") or "0")
        expires = int(days) if days.isdigit() else 30
        confirmed = bool(form.get("confirm_untraced"))
        done = self._service(
            sharing.send, self._proposal_id(), expires_days=expires, confirmed=confirmed
        )
        return self._shown(done)

    @rx.event
    def new_link(self):
        """Another tracked link."""
        return self._shown(self._service(sharing.new_link, self._proposal_id()))

    @rx.event
    def revoke_link(self, link_id: str):
        """Stop a link from working."""
        done = self._service(sharing.revoke_link, uuid.UUID(link_id))
        if not done.ok:
            return done.toast
        self._reload()
        return rx.toast.success("Link revoked: it no longer opens the proposal.")

    @rx.event
    def recall(self):
        """Back to draft to change it (links stop working)."""
        return self._shown(self._service(lifecycle.recall, self._proposal_id()))

    @rx.event
    def mark_paid(self):
        """Signed → Paid (Owner/Admin)."""
        return self._shown(self._service(lifecycle.mark_paid, self._proposal_id()))

    @rx.event
    def download_pdf(self):
        """The PDF, rendered from the same document."""
        done = self._service(export.proposal_pdf, self._proposal_id(), self.timezone)
        if not done.ok:  # e.g. gone meanwhile, or not this organisation's
            return done.toast
        name, data = done.value
        return rx.download(data=data, filename=name, mime_type="application/pdf")


def _alive(request_id: str) -> bool:
    return job_state(request_id) in ("queued", "started", "deferred", "scheduled")
