"""Knowledge-base jobs: embed an uploaded document; re-embed after the embedding model changed."""

from __future__ import annotations

import uuid

from crmapp.models.kb import KBDocument
from crmapp.services import kb
from crmapp.services.db import tenant_session
from crmapp.services.errors import user_message
from jobs.queues import queue


def embed_document(document_id: str, org_id: str) -> int:
    """Chunk and embed one document; a failure is kept on the document for the page to show."""
    org, doc = uuid.UUID(org_id), uuid.UUID(document_id)
    try:
        with tenant_session(org) as session:
            return kb.embed_document(session, org, doc)
    except Exception as err:
        with tenant_session(org) as session:
            document = session.get(KBDocument, doc)
            if document is not None:
                document.status = "failed"
                document.error = user_message(err, f"embedding document {document_id}")[:500]
                session.add(document)
        raise


def enqueue_embedding(document_id: uuid.UUID, org_id: uuid.UUID) -> None:
    """Queue the embedding of a document (one job per document: a second click adds nothing)."""
    from rq import Retry

    queue("default").enqueue(
        embed_document, str(document_id), str(org_id), job_id=f"kb-embed-{document_id}",
        job_timeout=1800, retry=Retry(max=2, interval=[5, 30]),
    )  # fmt: skip


def reembed_stale(org_id: str) -> int:
    """Re-embed every document of an organisation whose passages another model made."""
    org = uuid.UUID(org_id)
    with tenant_session(org) as session:
        stale = kb.stale_documents(session, org)
    for document_id in stale:
        embed_document(str(document_id), org_id)
    return len(stale)
