"""The three state machines of a proposal, each with its allowed moves; every move is audited.

- status: draft → review → sent → signed → paid, and sent → declined | expired; review → draft
  (withdrawn or changes requested), sent → draft (recalled: its links stop working).
- approval: none → pending → approved | changes_requested; changes_requested → pending.
- generation: idle | done | failed → queued → streaming → done | failed (queued → failed too:
  cancelled before it started).

Where the organisation turns approvals on, sending needs an approved review. A move the machine
does not allow is refused with a message saying what state the proposal is in.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.crm import Deal
from crmapp.models.proposals import Proposal, ProposalLink
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import documents, outcomes
from crmapp.services.tenancy import audit, notifications, orgs
from crmapp.services.tenancy.permissions import Perm, require

STATUS_MOVES: dict[str, set[str]] = {
    "draft": {"review", "sent"},
    "review": {"draft", "sent"},
    "sent": {"signed", "declined", "expired", "draft"},
    "signed": {"paid"},
    "paid": set(),
    "declined": set(),
    "expired": set(),
}
APPROVAL_MOVES: dict[str, set[str]] = {
    "none": {"pending"},
    "pending": {"approved", "changes_requested", "none"},
    "approved": {"none"},
    "changes_requested": {"pending", "none"},
}
GENERATION_MOVES: dict[str, set[str]] = {
    "idle": {"queued"},
    "queued": {"streaming", "failed"},
    "streaming": {"done", "failed"},
    "done": {"queued"},
    "failed": {"queued"},
}
MACHINES = {"status": STATUS_MOVES, "approval": APPROVAL_MOVES, "generation": GENERATION_MOVES}
DEAL_TIMELINE = {"sent", "signed", "paid", "declined", "expired"}


class InvalidTransition(ValidationError):
    """A state machine does not allow the move."""

    def __init__(self, machine: str, current: str, target: str):
        label = machine if machine != "status" else "proposal"
        super().__init__(
            {
                machine: f"The {label} is {current.replace('_', ' ')}: it cannot become "
                f"{target.replace('_', ' ')}."
            }
        )


def move(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    machine: str,
    target: str,
    detail: dict | None = None,
) -> None:
    """Move one machine of `proposal` to `target` (or refuse), audited on the proposal and, for
    status moves a client would notice, on the deal's timeline."""
    current = getattr(proposal, machine)
    if target not in MACHINES[machine].get(current, set()):
        raise InvalidTransition(machine, current, target)
    setattr(proposal, machine, target)
    proposal.updated_at = utcnow()
    session.add(proposal)
    changes = {machine: [current, target], **(detail or {})}
    audit.record(session, actor, f"proposal.{machine}_changed", "proposal", proposal.id, changes)
    if machine == "status" and target in DEAL_TIMELINE:
        audit.record(
            session,
            actor,
            f"deal.proposal_{target}",
            "deal",
            proposal.deal_id,
            {"proposal": proposal.title, **(detail or {})},
        )


def approvals_required(session: Session, org_id: uuid.UUID) -> bool:
    """Whether the organisation requires an approval before sending."""
    return orgs.approval_required(session, org_id, "proposal_approvals")


def set_approvals_required(session: Session, actor: Actor, required: bool) -> None:
    """Turn the approval requirement on or off (Owner/Admin); audited."""
    orgs.set_approval_required(session, actor, "proposal_approvals", required)


def notify_owner(
    session: Session, proposal: Proposal, kind: str, text: str, *, unless: uuid.UUID | None = None
) -> None:
    """Tell the proposal's owner, with a link to it; not when the owner is `unless` (who did it
    themselves)."""
    if proposal.owner_id and proposal.owner_id != unless:
        notifications.notify(
            session, proposal.org_id, proposal.owner_id, kind, text, routes.proposal(proposal.id)
        )


def submit_for_review(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Draft → Review with an approval pending; Owners and Admins are notified."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    documents.require_editable(proposal)
    move(session, actor, proposal, "status", "review")
    move(session, actor, proposal, "approval", "pending")
    for user_id in orgs.admin_ids(session, actor.org_id):
        if user_id != actor.user_id:
            notifications.notify(
                session,
                actor.org_id,
                user_id,
                "proposal.review",
                f"“{proposal.title}” is waiting for your approval.",
                routes.proposal(proposal.id),
            )
    return proposal


def approve(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Approve a proposal in review (Owner/Admin)."""
    require(actor.role, Perm.PROPOSAL_APPROVE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    move(session, actor, proposal, "approval", "approved")
    proposal.approval_note = ""
    approved = f"“{proposal.title}” was approved: it can be sent."
    notify_owner(session, proposal, "proposal.approved", approved, unless=actor.user_id)
    return proposal


def request_changes(session: Session, actor: Actor, proposal_id: uuid.UUID, note: str) -> Proposal:
    """Send a proposal in review back to draft with what to change (Owner/Admin)."""
    require(actor.role, Perm.PROPOSAL_APPROVE)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what should change."})
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    move(session, actor, proposal, "approval", "changes_requested", {"note": note[:500]})
    move(session, actor, proposal, "status", "draft")
    proposal.approval_note = note[:500]
    changes = f"Changes requested on “{proposal.title}”: {note[:200]}"
    notify_owner(session, proposal, "proposal.changes_requested", changes, unless=actor.user_id)
    return proposal


def withdraw(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Take a proposal out of review (back to draft, approval cleared)."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    move(session, actor, proposal, "status", "draft")
    if proposal.approval != "none":
        move(session, actor, proposal, "approval", "none")
    return proposal


def mark_sent(
    session: Session, actor: Actor, proposal: Proposal, expires_at: datetime | None
) -> None:
    """Draft/Review → Sent (approval checked), freezing the content as a version."""
    if proposal.generation in documents.RUNNING:
        raise ValidationError({"generation": "Wait for the draft being written to finish."})
    if approvals_required(session, actor.org_id) and proposal.approval != "approved":
        raise ValidationError(
            {
                "approval": "This organisation requires an approval before sending: submit the "
                "proposal for review first."
            }
        )
    if not any(s.get("html") for s in proposal.sections):
        raise ValidationError({"sections": "The proposal is empty: write or generate it first."})
    move(session, actor, proposal, "status", "sent")
    proposal.sent_at, proposal.expires_at = utcnow(), expires_at
    documents.snapshot(session, actor, proposal, "sent")


def recall(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Sent → Draft to change it; every link stops working."""
    require(actor.role, Perm.RECORD_UPDATE)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    move(session, actor, proposal, "status", "draft")
    if proposal.approval != "none":
        move(session, actor, proposal, "approval", "none")
    now = utcnow()
    for link in session.exec(
        select(ProposalLink).where(
            ProposalLink.proposal_id == proposal.id, col(ProposalLink.revoked_at).is_(None)
        )
    ).all():
        link.revoked_at = now
        session.add(link)
    return proposal


def mark_paid(session: Session, actor: Actor, proposal_id: uuid.UUID) -> Proposal:
    """Signed → Paid (Owner/Admin; payment collection comes with billing): the payment and its
    amount are recorded on the deal's timeline, and a deal still open is won."""
    require(actor.role, Perm.PROPOSAL_MARK_PAID)
    proposal = documents.get_proposal(session, actor, proposal_id, lock=True)
    move(session, actor, proposal, "status", "paid", {"amount": outcomes.amount_text(proposal)})
    proposal.paid_at = utcnow()
    outcomes.deal_paid(session, actor, proposal)
    return proposal


def expire_due(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Sent proposals past their expiry become Expired; returns how many."""
    now = now or utcnow()
    due = session.exec(
        select(Proposal).where(
            Proposal.org_id == actor.org_id,
            Proposal.status == "sent",
            col(Proposal.expires_at).is_not(None),
            col(Proposal.expires_at) <= now,
        )
    ).all()
    for proposal in due:
        move(session, actor, proposal, "status", "expired")
    return len(due)


def default_expiry(days: int | None) -> datetime | None:
    """An expiry `days` from now (None: never)."""
    if not days:
        return None
    if not 1 <= days <= 365:
        raise ValidationError({"expires": "A link can last between 1 and 365 days."})
    return utcnow() + timedelta(days=days)


def deal_of(session: Session, proposal: Proposal) -> Deal:
    """The proposal's deal (same organisation by construction)."""
    deal = session.get(Deal, proposal.deal_id)
    assert deal is not None
    return deal
