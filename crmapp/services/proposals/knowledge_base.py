"""The knowledge base: upload documents (text, Markdown, PDF, DOCX), chunk, embed, search.

Uploading checks the file cheaply and queues a job (on the bulk worker, one job per organisation
at a time); the job reads the text within the limits of `knowledge_extract`, then splits it into
overlapping passages at paragraph and sentence boundaries and embeds them in batches. Search embeds
the query with the same model and ranks passages by cosine distance through the HNSW index. Row-
level security keeps every organisation's passages to itself; the search query filters by
organisation too, so the index is never asked for another tenant's neighbours.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from crmapp.models.kb import KBChunk, KBDocument
from crmapp.services.ai import embeddings
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org, tenant_session
from crmapp.services.platform.errors import ValidationError, user_message
from crmapp.services.proposals import knowledge_extract
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require

NO_DOCUMENT = "That document was not found."
CHUNK_CHARS = 900
OVERLAP_CHARS = 150
BATCH = 32


def chunk_text(body: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Passages of about `size` characters, cut at paragraph or sentence ends, overlapping."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            pieces.append(paragraph)
        else:
            pieces += [s.strip() for s in re.split(r"(?<=[.!?])\s+", paragraph) if s.strip()]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > size:  # one very long sentence: hard cut
            chunks.append(piece[:size])
            piece = piece[size - overlap :]
        if current and len(current) + len(piece) + 2 > size:
            chunks.append(current)
            tail = current[-overlap:] if overlap else ""
            current = tail[tail.find(" ") + 1 :] if " " in tail else ""
        current = f"{current}\n\n{piece}" if current else piece
    if current.strip():
        chunks.append(current)
    return [c.strip() for c in chunks if c.strip()]


def add_document(
    session: Session, actor: Actor, *, filename: str, content: bytes, title: str = ""
) -> KBDocument:
    """Check an upload and keep it for the background job (`read_document`, then
    `embed_document`), which the caller queues.

    Only the cheap checks run here (type, size, what a DOCX's parts unpack to, a PDF's pages), so
    the upload returns at once; reading the text, within its limits, is the job's.

    Raises:
        ValidationError: ``{"file": ...}`` for a file that cannot be read or is too large.
    """
    require(actor.role, Perm.RECORD_CREATE)
    knowledge_extract.check(filename, content)
    document = KBDocument(
        org_id=actor.org_id,
        title=(title.strip() or filename.rsplit(".", 1)[0])[:200],
        filename=filename[:255],
        source=content,
        created_by=actor.user_id,
    )
    session.add(document)
    audit.record(
        session,
        actor,
        "kb.document_added",
        "kb_document",
        document.id,
        {"title": document.title, "bytes": len(content)},
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
    passages = chunk_text(document.text)
    for start in range(0, len(passages), BATCH):
        batch = passages[start : start + BATCH]
        made = embeddings.passages(batch)
        for offset, (passage, vector) in enumerate(zip(batch, made.vectors, strict=True)):
            session.add(
                KBChunk(
                    org_id=org_id,
                    document_id=document.id,
                    position=start + offset,
                    text=passage,
                    embedding=vector,
                    embed_model=made.model,
                    embed_dim=made.dim,
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
    """Re-embed every document of an organisation whose passages another model made; returns
    how many."""
    with tenant_session(org_id) as session:
        stale = stale_documents(session, org_id)
    for document_id in stale:
        process_document(org_id, document_id)
    return len(stale)


@dataclass(frozen=True)
class Passage:
    """A search hit."""

    document_id: str
    title: str
    text: str
    score: float  # cosine similarity, 1 = same direction


def search(session: Session, actor: Actor, query: str, *, k: int = 5) -> list[Passage]:
    """The `k` passages of the organisation's documents closest to `query`."""
    require(actor.role, Perm.RECORD_READ)
    query = query.strip()
    if not query:
        return []
    made = embeddings.query(query)
    dim = int(made.dim)  # an integer from the model: safe to put in the SQL text
    session.exec(text("SET LOCAL hnsw.ef_search = 100"))  # type: ignore[call-overload]
    # The nearest passages first (the HNSW index answers the inner query alone), then their
    # documents: joining inside would let the planner sort every row by distance instead.
    rows = session.exec(  # type: ignore[call-overload]
        text(
            f"SELECT c.document_id, d.title, c.text, 1 - c.distance AS score FROM ("
            f" SELECT document_id, text,"
            f" embedding::vector({dim}) <=> CAST(:q AS vector({dim})) AS distance"
            f" FROM kb_chunk WHERE org_id = :org AND embed_dim = {dim} AND embed_model = :model"
            f" ORDER BY embedding::vector({dim}) <=> CAST(:q AS vector({dim})) LIMIT :k"
            f") c JOIN kb_document d ON d.id = c.document_id ORDER BY c.distance"
        ),
        params={"q": str(made.vectors[0]), "org": str(actor.org_id), "model": made.model, "k": k},
    ).all()
    return [Passage(str(r[0]), r[1], r[2], float(r[3])) for r in rows]


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
    """Documents with passages embedded by another model than the current one."""
    model = embeddings.current_model()
    return list(
        session.exec(
            select(KBChunk.document_id)
            .where(KBChunk.org_id == org_id, KBChunk.embed_model != model)
            .distinct()
        ).all()
    )
