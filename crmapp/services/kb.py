"""The knowledge base: upload documents (text, Markdown, PDF, DOCX), chunk, embed, search.

Uploading stores the document's text and queues an embedding job; the job splits it into
overlapping passages at paragraph and sentence boundaries and embeds them in batches. Search embeds
the query with the same model and ranks passages by cosine distance through the HNSW index. Row-
level security keeps every organisation's passages to itself; the search query filters by
organisation too, so the index is never asked for another tenant's neighbours.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from crmapp.models.kb import KBChunk, KBDocument
from crmapp.services import audit
from crmapp.services.ai import embeddings
from crmapp.services.context import Actor
from crmapp.services.errors import NotFound, ValidationError, report
from crmapp.services.permissions import Perm, require

MAX_BYTES = 20 * 1024 * 1024
CHUNK_CHARS = 900
OVERLAP_CHARS = 150
BATCH = 32
KINDS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf", ".docx": "docx"}


def extract_text(filename: str, content: bytes) -> str:
    """The text of an uploaded file, or a ValidationError saying why not."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = KINDS.get(suffix)
    if kind is None:
        raise ValidationError({"file": "Upload a .txt, .md, .pdf or .docx file."})
    if not content.strip():
        raise ValidationError({"file": "The file is empty."})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 20 MB."})
    try:
        if kind == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content))
            found = "\n\n".join((page.extract_text() or "") for page in reader.pages)
        elif kind == "docx":
            import docx

            document = docx.Document(io.BytesIO(content))
            found = "\n\n".join(p.text for p in document.paragraphs)
        else:
            found = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "Not UTF-8 text: save the file as UTF-8."}) from None
    except Exception as err:  # a corrupt PDF or DOCX raises whatever its parser raises
        reference = report(err, f"reading a {kind}")
        raise ValidationError(
            {"file": f"This {kind.upper()} could not be read: it may be damaged. Save it again "
                     f"and upload it (reference {reference})."}
        ) from err  # fmt: skip
    found = re.sub(r"[ \t]+", " ", found).strip()
    if not found:
        raise ValidationError({"file": "No text found in this file (a scanned PDF?)."})
    return found


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
    """Store an uploaded document's text; the caller queues `embed_document`."""
    require(actor.role, Perm.RECORD_CREATE)
    body = extract_text(filename, content)
    document = KBDocument(
        org_id=actor.org_id, title=(title.strip() or filename.rsplit(".", 1)[0])[:200],
        filename=filename[:255], text=body, created_by=actor.user_id,
    )  # fmt: skip
    session.add(document)
    audit.record(session, actor, "kb.document_added", "kb_document", document.id,
                 {"title": document.title, "characters": len(body)})  # fmt: skip
    return document


def embed_document(session: Session, org_id: uuid.UUID, document_id: uuid.UUID) -> int:
    """Chunk and embed one document (replacing earlier chunks); returns the chunk count."""
    document = session.get(KBDocument, document_id)
    if document is None or document.org_id != org_id:
        raise NotFound("That document was not found.")
    session.exec(delete(KBChunk).where(col(KBChunk.document_id) == document.id))
    passages = chunk_text(document.text)
    for start in range(0, len(passages), BATCH):
        batch = passages[start : start + BATCH]
        made = embeddings.passages(batch)
        for offset, (passage, vector) in enumerate(zip(batch, made.vectors, strict=True)):
            session.add(
                KBChunk(
                    org_id=org_id, document_id=document.id, position=start + offset,
                    text=passage, embedding=vector, embed_model=made.model, embed_dim=made.dim,
                )
            )  # fmt: skip
    document.status, document.chunk_count, document.error = "ready", len(passages), ""
    session.add(document)
    return len(passages)


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


def list_documents(session: Session, actor: Actor) -> list[KBDocument]:
    """The organisation's documents, newest first."""
    require(actor.role, Perm.RECORD_READ)
    return list(
        session.exec(
            select(KBDocument)
            .where(KBDocument.org_id == actor.org_id)
            .order_by(col(KBDocument.created_at).desc())
        ).all()
    )


def delete_document(session: Session, actor: Actor, document_id: uuid.UUID) -> str:
    """Remove a document and its passages; returns its title."""
    require(actor.role, Perm.RECORD_DELETE)
    document = session.get(KBDocument, document_id)
    if document is None or document.org_id != actor.org_id:
        raise NotFound("That document was not found.")
    session.delete(document)
    audit.record(session, actor, "kb.document_deleted", "kb_document", document.id,
                 {"title": document.title})  # fmt: skip
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
