"""What a client does through a shared link on the public page: open it, be counted as a view,
sign, decline.

The public page has no login and no tenant: `locate` reads the one link whose hash the session
names in `app.link_token` (the row-level security policy of `proposal_link` allows exactly that)
and returns its organisation; everything else runs in that organisation's scope like any other
request.

Each opening records a view (time, duration from heartbeats, the client from the user agent and
a keyed hash of the IP); the owner is notified on the first. Signing stores the typed name with
the SHA-256 of the exact version sent, the time, IP and user agent, freezes the proposal as
Signed and wins the deal at the signed total (`outcomes.deal_signed`).

Everything the public page sends is bounded and checked here, with a message for each field; the
client acts as a public actor (`Actor.public`): audited under their name, never as the owner.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.proposals import (
    Proposal,
    ProposalLink,
    ProposalSignature,
    ProposalVersion,
    ProposalView,
)
from crmapp.models.tenancy import Membership, Role
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.proposals import documents, lifecycle, outcomes
from crmapp.services.proposals.sharing import VISIBLE
from crmapp.services.tenancy import audit, tokens
from crmapp.settings import get_settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GONE = "This link is not valid any more. Ask the sender for a new one."
SAME_VIEW = timedelta(minutes=5)  # a reload within this time continues the same view
# What the public page may send (the signer's name and email fit their columns).
MAX_NAME, MAX_EMAIL, MAX_REASON, MAX_TOKEN = 120, 254, 1000, 512


def locate(session: Session, token: str) -> uuid.UUID:
    """The organisation of the link `token` names (NotFound for a bad or unknown token).

    `session` is an unscoped session; only this one link row is readable through it.
    """
    token_hash = tokens.verify(token) if len(token) <= MAX_TOKEN else None
    if token_hash is None:
        raise NotFound(GONE)
    session.exec(  # type: ignore[call-overload]
        text("SELECT set_config('app.link_token', :hash, true)").bindparams(hash=token_hash)
    )
    org_id = session.exec(
        select(ProposalLink.org_id).where(ProposalLink.token_hash == token_hash)
    ).first()
    if org_id is None:
        raise NotFound(GONE)
    return org_id


@dataclass(frozen=True)
class Opened:
    """A valid link and its proposal (inside the proposal's tenant scope)."""

    link: ProposalLink
    proposal: Proposal


def open_link(session: Session, token: str, *, lock: bool = False) -> Opened:
    """The link and its proposal; refuses revoked or expired links and unsent proposals."""
    token_hash = tokens.verify(token) if len(token) <= MAX_TOKEN else None
    link = session.exec(
        select(ProposalLink).where(ProposalLink.token_hash == (token_hash or "-"))
    ).first()
    if link is None or link.revoked_at is not None:
        raise NotFound(GONE)
    query = select(Proposal).where(Proposal.id == link.proposal_id)
    proposal = session.exec(query.with_for_update() if lock else query).first()
    if proposal is None or proposal.status not in VISIBLE:
        raise NotFound(GONE)
    if link.expires_at is not None and link.expires_at <= utcnow():
        if proposal.status == "sent":
            lifecycle.move(
                session,
                _public_actor(session, proposal),
                proposal,
                "status",
                "expired",
                {"reason": "link expired"},
            )
        raise NotFound("This link has expired. Ask the sender for a new one.")
    return Opened(link, proposal)


def _public_actor(
    session: Session, proposal: Proposal, who: str = "client", ip: str = "", user_agent: str = ""
) -> Actor:
    """Who acts on the public page: the client, a public actor audited as "<who> (public link)"
    with no user of ours. The proposal's owner (or an Owner of the organisation) only lends the
    user id that scoped services need."""
    user_id = (
        proposal.owner_id
        or session.exec(
            select(Membership.user_id).where(
                Membership.org_id == proposal.org_id, Membership.role == Role.OWNER.value
            )
        ).first()
    )
    assert user_id is not None
    return Actor(
        user_id, proposal.org_id, Role.MEMBER, f"{who} (public link)", ip, user_agent, public=True
    )


def _text(value: str, limit: int, what: str, *, lines: bool = False) -> str:
    """`value` trimmed, or ValueError naming what is wrong: too long, or control characters
    (which no name or email holds, and which PostgreSQL refuses in text)."""
    value = value.strip() if lines else " ".join(value.split())
    if len(value) > limit:
        raise ValueError(f"{what} is at most {limit:,} characters.")
    allowed = "\n\t" if lines else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise ValueError(f"{what} contains characters that cannot be stored: retype it.")
    return value


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address (comparable between views, not reversible)."""
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def describe_client(user_agent: str) -> str:
    """`Chrome on Linux`, roughly, from a user agent."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for pattern, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
            )
            if pattern in ua
        ),
        "Unknown browser",
    )
    system = next(
        (
            name
            for pattern, name in (
                ("Android", "Android"),
                ("iPhone", "iOS"),
                ("iPad", "iOS"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if pattern in ua
        ),
        "unknown system",
    )
    headless = " (headless)" if "Headless" in ua else ""
    return f"{browser}{headless} on {system}"


def record_view(session: Session, token: str, *, ip: str, user_agent: str) -> ProposalView:
    """Record an opening (a reload within minutes continues the same view); each view lands on
    the deal's timeline, and the first one notifies the owner."""
    opened = open_link(session, token)
    link, proposal = opened.link, opened.proposal
    hashed = ip_hash(ip)
    recent = session.exec(
        select(ProposalView).where(
            ProposalView.link_id == link.id,
            ProposalView.ip_hash == hashed,
            ProposalView.user_agent == user_agent[:512],
            col(ProposalView.last_seen_at) > utcnow() - SAME_VIEW,
        )
    ).first()
    if recent is not None:
        recent.last_seen_at = utcnow()
        session.add(recent)
        return recent
    view = ProposalView(
        org_id=proposal.org_id,
        proposal_id=proposal.id,
        link_id=link.id,
        user_agent=user_agent[:512],
        client=describe_client(user_agent),
        ip_hash=hashed,
    )
    session.add(view)
    actor = _public_actor(session, proposal, ip=ip, user_agent=user_agent)
    audit.record(
        session,
        actor,
        "deal.proposal_viewed",
        "deal",
        proposal.deal_id,
        {"proposal": proposal.title, "client": view.client},
    )
    if link.first_viewed_at is None:
        link.first_viewed_at = view.started_at
        session.add(link)
        lifecycle.notify_owner(
            session,
            proposal,
            "proposal.viewed",
            f"“{proposal.title}” was just opened ({view.client}).",
        )
    session.flush()
    return view


def heartbeat(session: Session, token: str, view_id: uuid.UUID) -> int:
    """The reader is still there: extend the view; returns its duration in seconds."""
    opened = open_link(session, token)
    view = session.exec(
        select(ProposalView).where(
            ProposalView.id == view_id, ProposalView.link_id == opened.link.id
        )
    ).first()
    if view is None:
        raise NotFound("Unknown view.")
    view.last_seen_at = utcnow()
    session.add(view)
    return int((view.last_seen_at - view.started_at).total_seconds())


def sign(
    session: Session,
    token: str,
    *,
    name: str,
    email: str,
    consent: bool,
    ip: str,
    user_agent: str,
) -> ProposalSignature:
    """Sign the sent version: stores the evidence, freezes the proposal (Signed), wins the deal
    at the signed total and notifies the owner."""
    errors = {}
    try:
        name = _text(name, MAX_NAME, "Your name")
        if len(name) < 2:
            errors["name"] = "Type your full name to sign."
    except ValueError as err:
        errors["name"] = str(err)
    try:
        email = _text(email, MAX_EMAIL, "The email address").lower()
        if email and not EMAIL.match(email):
            errors["email"] = "That email address does not look right."
    except ValueError as err:
        errors["email"] = str(err)
    if not consent:
        errors["consent"] = "Tick the box to agree to sign electronically."
    if errors:
        raise ValidationError(errors)
    opened = open_link(session, token, lock=True)
    proposal = opened.proposal
    if proposal.status != "sent":
        raise ValidationError({"status": f"This proposal is {proposal.status} already."})
    version = session.exec(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id,
            ProposalVersion.number == proposal.version,
        )
    ).first()
    digest = documents.proposal_hash(proposal)
    if version is None or version.sha256 != digest:
        raise ValidationError({"version": "This proposal changed; reload the page to sign it."})
    actor = _public_actor(session, proposal, name, ip, user_agent)
    signature = ProposalSignature(
        org_id=proposal.org_id,
        proposal_id=proposal.id,
        version=version.number,
        document_sha256=digest,
        signer_name=name,
        signer_email=email,
        ip=ip[:64],
        user_agent=user_agent[:512],
    )
    session.add(signature)
    lifecycle.move(
        session,
        actor,
        proposal,
        "status",
        "signed",
        {
            "signer": name,
            "version": version.number,
            "sha256": digest,
            "total": outcomes.amount_text(proposal),
        },
    )
    proposal.signed_at = signature.signed_at
    outcomes.deal_signed(session, actor, proposal)
    lifecycle.notify_owner(
        session, proposal, "proposal.signed", f"“{proposal.title}” was signed by {name}."
    )
    session.flush()
    return signature


def decline(session: Session, token: str, *, reason: str, ip: str, user_agent: str) -> Proposal:
    """The client declines on the public page (an optional reason); the owner is notified."""
    try:
        reason = _text(reason, MAX_REASON, "The reason", lines=True)
    except ValueError as err:
        raise ValidationError({"reason": str(err)}) from None
    opened = open_link(session, token, lock=True)
    proposal = opened.proposal
    actor = _public_actor(session, proposal, ip=ip, user_agent=user_agent)
    lifecycle.move(session, actor, proposal, "status", "declined", {"reason": reason})
    lifecycle.notify_owner(
        session, proposal, "proposal.declined", f"“{proposal.title}” was declined."
    )
    return proposal
