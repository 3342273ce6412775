"""Proposal templates: four built-ins every organisation starts with, and its own.

A template is an ordered list of sections, each with guidance that tells the writer (a model or
the offline drafter) what the section must say. Built-ins are created for an organisation the
first time it lists its templates; it may edit them like its own.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.proposals import ProposalTemplate
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals.offline_writer import Section
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

MAX_SECTIONS = 20

BUILTINS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "Statement of work",
        "sow",
        "Scope, deliverables, timeline and acceptance for a project.",
        [
            ("Overview", "Summarise the client's situation and the outcome this work delivers"),
            ("Scope of work", "List what is in scope and, explicitly, what is out of scope"),
            ("Deliverables", "Name each deliverable and what done looks like for it"),
            ("Timeline", "Set out the phases and milestones with dates relative to the start"),
            ("Acceptance", "Explain how the client reviews and accepts each deliverable"),
            ("Investment", "Summarise the fees and the payment schedule"),
        ],
    ),
    (
        "Monthly retainer",
        "retainer",
        "Ongoing services for a monthly fee.",
        [
            ("Overview", "Summarise the partnership and the results the client can expect"),
            ("Services included", "List the recurring services and the monthly capacity"),
            ("Reporting", "Describe how and how often progress is reported"),
            ("Term and notice", "State the minimum term, renewal and notice period"),
            ("Investment", "State the monthly fee and what happens with unused capacity"),
        ],
    ),
    (
        "Fixed-bid project",
        "fixed_bid",
        "A defined outcome for a fixed price.",
        [
            (
                "Executive summary",
                "Summarise the problem, the proposed solution and the fixed price",
            ),
            ("Approach", "Explain how the work will be done and why this approach fits"),
            ("Milestones", "List the milestones, each with its deliverable and payment"),
            ("Assumptions", "List the assumptions the fixed price depends on"),
            ("Change requests", "Explain how changes to scope are priced and approved"),
            ("Investment", "State the fixed price and the payment schedule"),
        ],
    ),
    (
        "Master services agreement",
        "msa",
        "The legal frame for future statements of work.",
        [
            ("Parties and purpose", "Name the parties and the purpose of the agreement"),
            ("Services and statements of work", "Explain how work is ordered through SOWs"),
            ("Fees and payment", "Set out invoicing, payment terms and late payment"),
            ("Confidentiality", "Describe the confidentiality obligations of both parties"),
            ("Intellectual property", "State who owns what is created and pre-existing material"),
            ("Term and termination", "State the term, renewal and how either party may end it"),
            ("Liability", "Limit liability and exclude indirect damages"),
        ],
    ),
]


def ensure_builtins(session: Session, org_id: uuid.UUID) -> None:
    """Create the built-in templates for the organisation if it has none yet."""
    exists = session.exec(
        select(ProposalTemplate.id).where(ProposalTemplate.org_id == org_id).limit(1)
    ).first()
    if exists is not None:
        return
    for name, kind, description, sections in BUILTINS:
        session.add(
            ProposalTemplate(
                org_id=org_id,
                name=name,
                kind=kind,
                description=description,
                builtin=True,
                sections=[{"title": t, "guidance": g} for t, g in sections],
            )
        )
    session.flush()


def list_templates(
    session: Session, actor: Actor, *, archived: bool = False
) -> list[ProposalTemplate]:
    """The organisation's templates by name (built-ins created on first use)."""
    require(actor.role, Perm.RECORD_READ)
    ensure_builtins(session, actor.org_id)
    query = select(ProposalTemplate).where(ProposalTemplate.org_id == actor.org_id)
    if not archived:
        query = query.where(col(ProposalTemplate.archived_at).is_(None))
    return list(session.exec(query.order_by(ProposalTemplate.name)).all())


def get_template(session: Session, actor: Actor, template_id: uuid.UUID) -> ProposalTemplate:
    """One template of the organisation (NotFound otherwise)."""
    require(actor.role, Perm.RECORD_READ)
    return get_in_org(session, ProposalTemplate, template_id, actor.org_id, "Template not found.")


def sections_of(template: ProposalTemplate) -> list[Section]:
    """The template's sections, for the writers."""
    return [Section(s.get("title", ""), s.get("guidance", "")) for s in template.sections]


def _clean(name: str, sections: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Give the template a name."
    elif len(name) > 120:
        errors["name"] = "Keep the name under 120 characters."
    cleaned = []
    for i, section in enumerate(sections, start=1):
        title = " ".join(section.get("title", "").split())
        guidance = " ".join(section.get("guidance", "").split())
        if not title and not guidance:
            continue
        if not title:
            errors[f"section {i}"] = f"Section {i} needs a title."
        cleaned.append({"title": title[:120], "guidance": guidance[:500]})
    if not cleaned:
        errors["sections"] = "A template needs at least one section."
    elif len(cleaned) > MAX_SECTIONS:
        errors["sections"] = f"A template can have at most {MAX_SECTIONS} sections."
    if errors:
        raise ValidationError(errors)
    return name, cleaned


def _name_taken(session: Session, actor: Actor, name: str, but: uuid.UUID | None) -> bool:
    query = select(ProposalTemplate.id).where(
        ProposalTemplate.org_id == actor.org_id, ProposalTemplate.name == name
    )
    if but is not None:
        query = query.where(ProposalTemplate.id != but)
    return session.exec(query).first() is not None


def save_template(
    session: Session,
    actor: Actor,
    *,
    template_id: uuid.UUID | None,
    name: str,
    description: str,
    sections: list[dict[str, str]],
) -> ProposalTemplate:
    """Create a template (`template_id=None`) or change one; audited."""
    require(actor.role, Perm.TEMPLATES_MANAGE)
    name, cleaned = _clean(name, sections)
    if _name_taken(session, actor, name, template_id):
        raise ValidationError({"name": f"A template named “{name}” exists already."})
    if template_id is None:
        template = ProposalTemplate(org_id=actor.org_id, name=name, kind="custom")
        action = "template.created"
    else:
        template = get_template(session, actor, template_id)
        action = "template.updated"
    template.name, template.description = name, description.strip()[:300]
    template.sections, template.updated_at = cleaned, utcnow()
    session.add(template)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "proposal_template",
        template.id,
        {"name": name, "sections": len(cleaned)},
    )
    return template


def archive_template(session: Session, actor: Actor, template_id: uuid.UUID) -> None:
    """Hide a template from new proposals (existing proposals keep their content)."""
    require(actor.role, Perm.TEMPLATES_MANAGE)
    template = get_template(session, actor, template_id)
    template.archived_at = utcnow()
    session.add(template)
    audit.record(
        session,
        actor,
        "template.archived",
        "proposal_template",
        template.id,
        {"name": template.name},
    )
