"""The knowledge base: upload documents (text, Markdown, PDF, DOCX), chunk, embed, search.

Uploading checks the file cheaply and queues a job (on the bulk worker, one job per organisation
at a time); the job reads the text within the limits of `knowledge_extract`, then splits it into
overlapping passages at paragraph and sentence boundaries and embeds them in batches. Search embeds
the query with the same model and ranks passages by cosine distance through the HNSW index. Row-
level security keeps every organisation's passages to itself; the search query filters by
organisation too, so the index is never asked for another tenant's neighbours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from crmapp.models.kb import ARCHIVED, CURRENT, KINDS, KBChunk, KBDocument
from crmapp.services.ai import embeddings
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org, tenant_session
from crmapp.services.platform.errors import ValidationError, user_message
from crmapp.services.proposals import knowledge_chunks, knowledge_extract
from crmapp.services.proposals.knowledge_chunks import RECIPE, chunk_text, embed_input, pieces
from crmapp.services.proposals.knowledge_search import (
    SECTION_TYPES,
    DealBrief,
    Passage,
    search,
    section_passages,
)
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

__all__ = [
    "SECTION_TYPES",
    "DealBrief",
    "Passage",
    "chunk_text",
    "search",
    "section_passages",
]

NO_DOCUMENT = "That document was not found."
BATCH = 32
KIND_LABELS = {
    "service": "Service",
    "pricing": "Pricing",
    "terms": "Terms",
    "process": "Process",
    "case_study": "Case study",
    "bio": "Team bio",
    "faq": "FAQ",
    "other": "Other",
}


def add_document(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    content: bytes,
    title: str = "",
    kind: str = "",
) -> KBDocument:
    """Check an upload and keep it for the background job (`read_document`, then
    `embed_document`), which the caller queues. `kind` is one of `KINDS`, or "" to guess it
    from the title.

    Only the cheap checks run here (type, size, what a DOCX's parts unpack to, a PDF's pages), so
    the upload returns at once; reading the text, within its limits, is the job's.

    Raises:
        ValidationError: ``{"file": ...}`` for a file that cannot be read or is too large;
            ``{"kind": ...}`` for a kind not offered.
    """
    require(actor.role, Perm.RECORD_CREATE)
    if kind:
        _check_kind(kind)
    knowledge_extract.check(filename, content)
    title = (title.strip() or filename.rsplit(".", 1)[0])[:200]
    document = KBDocument(
        org_id=actor.org_id,
        title=title,
        filename=filename[:255],
        source=content,
        kind=kind or knowledge_chunks.infer_kind(title),
        created_by=actor.user_id,
    )
    session.add(document)
    audit.record(
        session,
        actor,
        "kb.document_added",
        "kb_document",
        document.id,
        {"title": document.title, "bytes": len(content), "kind": document.kind},
    )
    return document


def read_document(session: Session, org_id: uuid.UUID, document_id: uuid.UUID) -> bool:
    """Extract the text of an uploaded document once (the upload is then dropped). Returns
    whether it can be embedded: a text that passes a limit or cannot be read marks the document
    failed with the reason instead (no retry would change it), and the upload is dropped too."""
    document = get_in_org(session, KBDocument, document_id, org_id, NO_DOCUMENT)
    if document.source is None:
        return document.status != "failed"
    try:
        body = knowledge_extract.extract(
            knowledge_extract.kind_of(document.filename), document.source
        )
    except ValidationError as err:
        document.status, document.error, document.source = "failed", str(err)[:500], None
        session.add(document)
        return False
    document.text, document.characters, document.source = body, len(body), None
    session.add(document)
    return True


def embed_document(session: Session, org_id: uuid.UUID, document_id: uuid.UUID) -> int:
    """Chunk and embed one document (replacing earlier chunks); returns the chunk count."""
    document = get_in_org(session, KBDocument, document_id, org_id, NO_DOCUMENT)
    session.exec(delete(KBChunk).where(col(KBChunk.document_id) == document.id))
    passages = pieces(document.text)
    for start in range(0, len(passages), BATCH):
        batch = passages[start : start + BATCH]
        made = embeddings.passages([embed_input(document.title, p.heading, p.text) for p in batch])
        for offset, (passage, vector) in enumerate(zip(batch, made.vectors, strict=True)):
            session.add(
                KBChunk(
                    org_id=org_id,
                    document_id=document.id,
                    position=start + offset,
                    title=document.title,
                    heading=passage.heading,
                    currencies=passage.currencies,
                    text=passage.text,
                    embedding=vector,
                    embed_model=made.model,
                    embed_dim=made.dim,
                    embed_recipe=RECIPE,
                )
            )
    document.status, document.chunk_count, document.error = "ready", len(passages), ""
    session.add(document)
    return len(passages)


def process_document(org_id: uuid.UUID, document_id: uuid.UUID) -> int:
    """The background job's work on an upload: read its text (once), then chunk and embed it;
    returns the passage count. A document the limits refuse is marked failed with the reason
    (no retry would change that); any other failure is kept on the document for the page to
    show, and raised for the job to be retried."""
    try:
        with tenant_session(org_id) as session:
            readable = read_document(session, org_id, document_id)
        if not readable:
            return 0  # the reason is on the document
        with tenant_session(org_id) as session:
            return embed_document(session, org_id, document_id)
    except Exception as err:
        message = user_message(err, f"embedding document {document_id}")
        with tenant_session(org_id) as session:
            document = session.get(KBDocument, document_id)
            if document is not None:
                document.status, document.error = "failed", message[:500]
                session.add(document)
        raise


def reembed_stale(org_id: uuid.UUID) -> int:
    """Re-embed every document of an organisation whose passages another model or recipe made
    (after an upgrade, or a change of embedding model); returns how many."""
    with tenant_session(org_id) as session:
        stale = stale_documents(session, org_id)
    for document_id in stale:
        process_document(org_id, document_id)
    return len(stale)


@dataclass(frozen=True)
class DocumentRow:
    """What the document list shows (the text is not read to show its length)."""

    id: uuid.UUID
    title: str
    filename: str
    status: str
    error: str
    chunk_count: int
    characters: int
    kind: str
    lifecycle: str
    valid_until: date | None


def list_documents(session: Session, actor: Actor) -> list[DocumentRow]:
    """The organisation's documents, newest first."""
    require(actor.role, Perm.RECORD_READ)
    columns = [col(getattr(KBDocument, name)) for name in DocumentRow.__dataclass_fields__]
    rows = session.exec(
        select(*columns)  # type: ignore[call-overload]
        .where(KBDocument.org_id == actor.org_id)
        .order_by(col(KBDocument.created_at).desc())
    ).all()
    return [DocumentRow(*row) for row in rows]


def delete_document(session: Session, actor: Actor, document_id: uuid.UUID) -> str:
    """Remove a document and its passages; returns its title."""
    require(actor.role, Perm.RECORD_DELETE)
    document = get_in_org(session, KBDocument, document_id, actor.org_id, NO_DOCUMENT)
    session.delete(document)
    audit.record(
        session, actor, "kb.document_deleted", "kb_document", document.id, {"title": document.title}
    )
    return document.title


def stale_documents(session: Session, org_id: uuid.UUID) -> list[uuid.UUID]:
    """Documents with passages embedded by another model or recipe than the current ones."""
    model = embeddings.current_model()
    return list(
        session.exec(
            select(KBChunk.document_id)
            .where(
                KBChunk.org_id == org_id,
                or_(KBChunk.embed_model != model, KBChunk.embed_recipe != RECIPE),
            )
            .distinct()
        ).all()
    )


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": "Choose what kind of document this is."})


def _described(session: Session, actor: Actor, document: KBDocument, action: str) -> KBDocument:
    session.add(document)
    audit.record(
        session,
        actor,
        action,
        "kb_document",
        document.id,
        {
            "title": document.title,
            "kind": document.kind,
            "lifecycle": document.lifecycle,
            "valid_until": document.valid_until.isoformat() if document.valid_until else "",
        },
    )
    return document


def describe_document(
    session: Session,
    actor: Actor,
    document_id: uuid.UUID,
    *,
    kind: str,
    valid_until: date | None = None,
) -> KBDocument:
    """Set what a document is (its kind) and until when its content holds (`None`: no end;
    past that day searches treat it as archived). Nothing is re-embedded: the kind and dates
    only decide which searches see it.

    Raises:
        ValidationError: ``{"kind": ...}`` for a kind not offered.
    """
    require(actor.role, Perm.RECORD_UPDATE)
    _check_kind(kind)
    document = get_in_org(session, KBDocument, document_id, actor.org_id, NO_DOCUMENT)
    document.kind, document.valid_until = kind, valid_until
    return _described(session, actor, document, "kb.document_described")


def archive_document(session: Session, actor: Actor, document_id: uuid.UUID) -> KBDocument:
    """Keep a document for the record only: no search, and so no proposal, quotes it."""
    require(actor.role, Perm.RECORD_UPDATE)
    document = get_in_org(session, KBDocument, document_id, actor.org_id, NO_DOCUMENT)
    document.lifecycle = ARCHIVED
    return _described(session, actor, document, "kb.document_archived")


def restore_document(session: Session, actor: Actor, document_id: uuid.UUID) -> KBDocument:
    """Offer an archived document again (a past valid-until date still keeps it out)."""
    require(actor.role, Perm.RECORD_UPDATE)
    document = get_in_org(session, KBDocument, document_id, actor.org_id, NO_DOCUMENT)
    document.lifecycle = CURRENT
    return _described(session, actor, document, "kb.document_restored")
