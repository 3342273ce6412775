"""Writing a proposal (or one section of it) in a background job, streamed through Redis.

`start` moves the generation machine to queued under a row lock and gives the run a request id:
a second click or a page refresh finds it queued or streaming and starts nothing, and usage is
recorded once per request id. The job (`jobs.proposals`) calls `run`, which streams the text
into a Redis stream keyed by the request id — the page reads it from the beginning, so a page
opened mid-way (or refreshed) re-attaches and shows everything so far — and saves the result:
the whole document as a new version, or one section as a pending change to accept or reject.
Cancel sets a flag the run checks between pieces.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from crmapp.models.proposals import Proposal
from crmapp.services.ai import gateway
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError, unexpected
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.proposals import deal_context as ai_context
from crmapp.services.proposals import (
    deal_prompt,
    documents,
    draft_check,
    insights,
    lifecycle,
    offline_writer,
    richtext,
    templates,
)
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

STREAM_TTL = 3600
FLUSH_SECONDS = 0.05
CANCELLED = "Cancelled"


def stream_key(request_id: str) -> str:
    """The Redis stream a run writes its text to."""
    return f"tandem:gen:{request_id}"


def cancel_key(request_id: str) -> str:
    """The flag that asks a run to stop."""
    return f"tandem:gen:{request_id}:cancel"


def start(
    session: Session,
    actor: Actor,
    proposal_id: uuid.UUID,
    *,
    section: int | None = None,
    instruction: str = "",
) -> str:
    """Queue the writing of the whole proposal (`section=None`) or of one section following
    `instruction`; returns the request id the job and the page share."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    documents.require_editable(proposal)
    instruction = " ".join(instruction.split())[:500]
    if section is not None:
        if not 0 <= section < len(proposal.sections):
            raise ValidationError({"section": "That section no longer exists."})
        if not instruction:
            raise ValidationError({"instruction": "Say how the section should change."})
        if not richtext.html_to_text(proposal.sections[section].get("html", "")).strip():
            raise ValidationError({"section": "Write or generate the section first."})
    gateway.within_budget(session, actor.org_id)
    request_id = uuid.uuid4().hex
    lifecycle.move(
        session,
        actor,
        proposal,
        "generation",
        "queued",
        {"section": section, "instruction": instruction},
    )
    proposal.generation_request, proposal.generation_error = request_id, ""
    proposal.generation_by = actor.user_id
    proposal.generation_target = {
        "section": -1 if section is None else section,
        "instruction": instruction,
    }
    proposal.pending = {}
    return request_id


def cancel(
    session: Session, actor: Actor, proposal_id: uuid.UUID, *, job_gone: bool = False
) -> bool:
    """Ask the running generation to stop; a queued one — or one whose job is gone (`job_gone`:
    the worker stopped mid-run) — is marked failed at once."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    if proposal.generation not in documents.RUNNING:
        return False
    get_redis().set(cancel_key(proposal.generation_request), 1, ex=STREAM_TTL)
    if proposal.generation == "queued" or job_gone:
        fail(session, actor, proposal, f"{CANCELLED} by {actor.email or 'a user'}.")
    return True


def fail(session: Session, actor: Actor, proposal: Proposal, message: str) -> None:
    """End a generation as failed with a message; readers hear of it once it is committed."""
    lifecycle.move(session, actor, proposal, "generation", "failed", {"error": message[:200]})
    proposal.generation_error = message[:500]
    session.commit()
    _publish_end(proposal.generation_request, "failed", message)


def read_stream(request_id: str, after: str, *, block_ms: int = 250) -> tuple[str, str, str]:
    """What a run wrote after entry `after` ("0": from the start), waiting up to `block_ms` for
    it: `(text, last entry id, end)` where end is "done" / "failed" once the run ended."""
    reply: Any = get_redis().xread({stream_key(request_id): after}, block=block_ms, count=500)
    text, end = "", ""
    for entry_id, fields in reply[0][1] if reply else []:
        after = entry_id.decode()
        text += fields.get(b"t", b"").decode()
        end = fields.get(b"e", b"").decode() or end
    return text, after, end


def _publish_end(request_id: str, event: str, message: str = "") -> None:
    redis = get_redis()
    redis.xadd(stream_key(request_id), {"e": event, "m": message})
    redis.expire(stream_key(request_id), STREAM_TTL)


class _Publisher:
    """Batches pieces of text into the Redis stream (the first piece goes out at once)."""

    def __init__(self, request_id: str):
        self.key, self.redis = stream_key(request_id), get_redis()
        self.buffer: list[str] = []
        self.last = 0.0
        self.sent = 0

    def add(self, piece: str) -> None:
        self.buffer.append(piece)
        if self.sent == 0 or time.monotonic() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.redis.xadd(self.key, {"t": "".join(self.buffer)})
            if self.sent == 0:
                self.redis.expire(self.key, STREAM_TTL)
            self.buffer, self.last, self.sent = [], time.monotonic(), self.sent + 1


@dataclass
class Plan:
    """What a run writes and how."""

    prompt: gateway.Prompt
    section: int  # -1: the whole document
    sources: list[dict[str, str]]
    context: ai_context.DealContext


def _plan(session: Session, actor: Actor, proposal: Proposal) -> Plan:
    context = ai_context.deal_context(session, actor, proposal.deal_id)
    sections = [offline_writer.Section(s.get("title", ""), "") for s in proposal.sections]
    if proposal.template_id is not None:
        template = templates.get_template(session, actor, proposal.template_id)
        guidance = {s.title: s.guidance for s in templates.sections_of(template)}
        sections = [offline_writer.Section(s.title, guidance.get(s.title, "")) for s in sections]
    sources = [s.as_json() for s in context.sources]
    data = ai_context.draft_input(context, sections, proposal.voice)
    index = int(proposal.generation_target.get("section", -1))
    if index < 0:
        prompt = gateway.Prompt(
            deal_prompt.messages(context, sections, proposal.voice),
            lambda: offline_writer.draft(data),
        )
        return Plan(prompt, -1, sources, context)
    instruction = str(proposal.generation_target.get("instruction", ""))
    current = richtext.html_to_text(proposal.sections[index].get("html", ""))
    section = sections[index]
    prompt = gateway.Prompt(
        deal_prompt.section_messages(context, section, current, instruction, proposal.voice),
        lambda: offline_writer.redraft_section(section, current, instruction),
        purpose="proposal_section",
    )
    return Plan(prompt, index, sources, context)


def split_sections(markdown: str, titles: list[str]) -> list[str]:
    """The Markdown body written for each title ('## Title' headings, matched by name, else the
    unnamed headings in order; text before the first heading goes to the first section)."""
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        heading = re.match(r"^#{1,3}\s+(.*\S)\s*$", line)
        if heading:
            blocks.append((heading.group(1).strip("*# ").casefold(), []))
        else:
            blocks[-1][1].append(line)
    preamble = "\n".join(blocks[0][1]).strip()
    written = [(title, "\n".join(lines).strip()) for title, lines in blocks[1:]]
    by_title = {title: body for title, body in written}
    # Headings that name no section fill the sections no heading names, in order; a section
    # the text leaves out stays empty (it never gets another section's text a second time).
    named = {title.casefold() for title in titles}
    spare = [body for title, body in written if title not in named]
    bodies = []
    for title in titles:
        body = by_title.get(title.casefold())
        if body is None:
            body = spare.pop(0) if spare else ""
        bodies.append(body)
    if preamble and bodies:
        bodies[0] = f"{preamble}\n\n{bodies[0]}".strip()
    return bodies


def run(
    session: Session,
    actor: Actor,
    proposal_id: uuid.UUID,
    request_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Write what `start` asked for; returns the final generation state. Does nothing when the
    proposal is no longer queued for this request (a retried or duplicate job)."""
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    if proposal.generation_request != request_id or proposal.generation != "queued":
        return proposal.generation
    lifecycle.move(session, actor, proposal, "generation", "streaming")
    session.commit()
    redis = get_redis()
    publisher = _Publisher(request_id)
    pieces: list[str] = []
    outcome = gateway.Outcome()
    try:
        plan = _plan(session, actor, proposal)
        stream = gateway.generate(
            session, actor.org_id, plan.prompt, outcome, request_id=request_id, sleep=sleep
        )
        checked = time.monotonic()
        for piece in stream:
            pieces.append(piece)
            publisher.add(piece)
            if time.monotonic() - checked >= FLUSH_SECONDS:  # the cancel flag, 20 times a second
                checked = time.monotonic()
                if redis.exists(cancel_key(request_id)):
                    stream.close()
                    raise InterruptedError
        publisher.flush()
    except InterruptedError:
        publisher.flush()
        proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
        if proposal.generation == "streaming":  # else ended already by the cancel itself
            fail(session, actor, proposal, f"{CANCELLED}.")
        return "failed"
    except Exception as err:
        publisher.flush()
        session.rollback()
        proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
        if proposal.generation != "streaming":
            return proposal.generation
        message = (
            str(err)
            if isinstance(err, gateway.BudgetExceeded)
            else (f"Writing failed. {unexpected(err, f'writing proposal {proposal_id}')}")
        )
        fail(session, actor, proposal, message)
        return "failed"
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    if proposal.generation != "streaming" or proposal.generation_request != request_id:
        return proposal.generation  # cancelled meanwhile: the text is not kept
    _save(session, actor, proposal, plan, "".join(pieces), outcome)
    lifecycle.move(
        session,
        actor,
        proposal,
        "generation",
        "done",
        {"provider": outcome.provider, "resumed": outcome.resumed},
    )
    session.commit()
    _publish_end(request_id, "done", outcome.provider)
    return "done"


def _save(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    plan: Plan,
    text: str,
    outcome: gateway.Outcome,
) -> None:
    proposal.provider = outcome.provider
    proposal.sources = plan.sources
    # Internal facts never reach the editor: their sentences are dropped here, and said so.
    guard = draft_check.guard_of(plan.context, proposal, draft_check.org_name(session, actor))
    titles = [s.get("title", "") for s in proposal.sections]
    if plan.section >= 0:
        body, removed = draft_check.clean(guard, _strip_heading(text), titles[plan.section])
        others = [
            r for r in proposal.checks.get("removed", []) if r["section"] != titles[plan.section]
        ]
        proposal.checks = {"removed": others + removed}
        proposal.pending = {
            "index": plan.section,
            "html": richtext.markdown_to_html(body),
            "instruction": proposal.generation_target.get("instruction", ""),
        }
        session.add(proposal)
        return
    removed = []
    sections = []
    for title, body in zip(titles, split_sections(text, titles), strict=True):
        body, dropped = draft_check.clean(guard, body, title)
        removed += dropped
        sections.append({"title": title, "html": richtext.markdown_to_html(body)})
    proposal.sections, proposal.checks = sections, {"removed": removed}
    plain = "\n".join(richtext.html_to_text(s["html"]) for s in proposal.sections)
    tone = insights.tone(plain, proposal.voice)
    proposal.tone_score, proposal.tone_label = tone.score, tone.label
    proposal.upsell = insights.upsell(session, actor, proposal.deal_id)
    documents.snapshot(session, actor, proposal, f"generated ({outcome.provider})")


def _strip_heading(text: str) -> str:
    """A section's text without the '## Title' line a model may repeat."""
    lines = text.strip().splitlines()
    if lines and re.match(r"^#{1,3}\s", lines[0]):
        lines = lines[1:]
    return "\n".join(lines).strip()


def accept_pending(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Replace the section with its regenerated text (a new version)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    documents.require_editable(proposal)
    pending = proposal.pending
    index = int(pending.get("index", -1)) if pending else -1
    if not 0 <= index < len(proposal.sections):
        raise ValidationError({"pending": "There is no regenerated section to accept."})
    sections = [dict(s) for s in proposal.sections]
    sections[index]["html"] = richtext.sanitize(str(pending.get("html", "")))
    proposal.sections, proposal.pending = sections, {}
    documents.snapshot(session, actor, proposal, "section rewritten")
    audit.record(
        session,
        actor,
        "proposal.section_rewritten",
        "proposal",
        proposal.id,
        {"section": sections[index]["title"], "instruction": pending.get("instruction", "")},
    )
    return proposal


def reject_pending(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Keep the section as it was and drop the regenerated text."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    if proposal.pending:
        proposal.pending = {}
        session.add(proposal)
    return proposal
