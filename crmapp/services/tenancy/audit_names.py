"""Names for the records and people a page of audit events mentions, looked up in one query
per kind of record (never one per event). Used by `audit_text`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.crm import Activity, Company, Contact, Deal, Pipeline, PipelineStage
from crmapp.models.imports import ImportJob
from crmapp.models.kb import KBDocument
from crmapp.models.proposals import Proposal, ProposalTemplate
from crmapp.models.social import MediaAsset, SocialAccount, SocialPost
from crmapp.models.tenancy import Invitation, Organization, User
from crmapp.models.views import CustomField, SavedView
from crmapp.services.platform.wording import humanise
from crmapp.services.social.base import NotSupported
from crmapp.services.social.registry import provider_class

REMOVED = "(removed)"


# kind → (table, columns to read, how a row of those columns reads, whether it can be opened)
def _person(row: Any) -> str:
    return row.name or row.email


def _contact(row: Any) -> str:
    return f"{row.first_name} {row.last_name}".strip()


def _account(row: Any) -> str:
    name = row.display_name or row.handle
    try:
        network = provider_class(row.network).label
    except NotSupported:
        network = humanise(row.network)
    return name if network.casefold() in name.casefold() else f"{name} ({network})"


def _snippet(row: Any) -> str:
    text = " ".join((row.text or "").split())
    return text if len(text) <= 60 else text[:59] + "…"


LOOKUPS: dict[str, tuple[Any, tuple[str, ...], Callable[[Any], str]]] = {
    "user": (User, ("name", "email"), _person),
    "contact": (Contact, ("first_name", "last_name", "deleted_at"), _contact),
    "company": (Company, ("name", "deleted_at"), lambda r: r.name),
    "deal": (Deal, ("title", "deleted_at"), lambda r: r.title),
    "stage": (PipelineStage, ("name",), lambda r: r.name),
    "pipeline": (Pipeline, ("name",), lambda r: r.name),
    "account": (SocialAccount, ("display_name", "handle", "network"), _account),
    "proposal": (Proposal, ("title",), lambda r: r.title),
    "social_post": (SocialPost, ("text",), _snippet),
    "proposal_template": (ProposalTemplate, ("name",), lambda r: r.name),
    "custom_field": (CustomField, ("label",), lambda r: r.label),
    "saved_view": (SavedView, ("name",), lambda r: r.name),
    "kb_document": (KBDocument, ("title",), lambda r: r.title),
    "media_asset": (MediaAsset, ("filename",), lambda r: r.filename),
    "import_job": (ImportJob, ("filename",), lambda r: r.filename),
    "invitation": (Invitation, ("email",), lambda r: r.email),
    "organization": (Organization, ("name",), lambda r: r.name),
    "activity": (Activity, ("subject",), lambda r: r.subject),
}
# An event's record: which lookup names it (a member is named by the user in its changes).
RECORD_LOOKUP = {
    **{kind: kind for kind in LOOKUPS},
    "social_account": "account",
}
HREFS: dict[str, Callable[[str], str]] = {
    "contact": routes.contact,
    "company": routes.company,
    "deal": routes.deal,
    "proposal": routes.proposal,
    "social_post": routes.social_post,
}


def as_uuid(value: Any) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class Names:
    """Collects the ids a page of events mentions, then names them, one query per kind."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
        self.names: dict[str, dict[uuid.UUID, str]] = defaultdict(dict)
        self.gone: set[uuid.UUID] = set()  # soft-deleted records (named, not linked)
        self.emails: dict[uuid.UUID, str] = {}
        self.custom: dict[tuple[str, str], CustomField] = {}
        self.custom_wanted: set[tuple[str, str]] = set()

    def want(self, kind: str, value: Any) -> None:
        """Note the id (or ids) in `value` as a record of `kind` to name."""
        for item in value if isinstance(value, list) else [value]:
            ident = as_uuid(item) if item not in (None, "") else None
            if ident is not None:
                self.wanted[kind].add(ident)

    def load(self, session: Session, org_id: uuid.UUID) -> None:
        """Look up everything noted: one query per kind, within the organisation."""
        for kind, ids in self.wanted.items():
            model, columns, name_of = LOOKUPS[kind]
            query = select(model.id, *(getattr(model, c) for c in columns))
            if kind == "social_post":
                query = select(model.id, func.substr(model.text, 1, 200).label("text"))
            query = query.where(col(model.id).in_(ids))
            if hasattr(model, "org_id"):
                query = query.where(model.org_id == org_id)
            elif model is Organization:
                query = query.where(model.id == org_id)
            for row in session.exec(query).all():
                self.names[kind][row.id] = name_of(row)
                if getattr(row, "deleted_at", None) is not None:
                    self.gone.add(row.id)
                if kind == "user":
                    self.emails[row.id] = row.email
        if self.custom_wanted:
            entities = {e for e, _k in self.custom_wanted}
            keys = {k for _e, k in self.custom_wanted}
            for cf in session.exec(
                select(CustomField).where(
                    CustomField.org_id == org_id,
                    col(CustomField.entity).in_(entities),
                    col(CustomField.key).in_(keys),
                )
            ).all():
                self.custom[(cf.entity, cf.key)] = cf

    def name(self, kind: str, value: Any) -> str:
        """The name of the `kind` record `value` points at (`(removed)` when it is gone)."""
        ident = as_uuid(value)
        if ident is None:
            return str(value)  # an old event that stored the name itself
        return self.names[kind].get(ident, REMOVED)
