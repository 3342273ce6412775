"""Knowledge-base jobs: read and embed an uploaded document; re-embed after the embedding model
changed. Both are bulk work: they run on the bulk worker, one per organisation at a time."""

from __future__ import annotations

import uuid

from rq import Retry

from crmapp.models.kb import KBDocument
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import user_message
from crmapp.services.proposals import knowledge_base
from jobs import fair

# Reading and embedding the largest document allowed (`knowledge_extract.MAX_CHARACTERS`) takes
# minutes.
EMBED_TIMEOUT = 1800


def embed_document(document_id: str, org_id: str) -> int:
    """Read the upload's text (once), then chunk and embed it. A document the limits refuse is
    marked failed with the reason (no retry would change that); any other failure is kept on
    the document for the page to show, and raised for RQ to retry."""
    org, doc = uuid.UUID(org_id), uuid.UUID(document_id)
    try:
        with tenant_session(org) as session:
            readable = knowledge_base.read_document(session, org, doc)
        if not readable:
            return 0  # the reason is on the document
        with tenant_session(org) as session:
            return knowledge_base.embed_document(session, org, doc)
    except Exception as err:
        with tenant_session(org) as session:
            document = session.get(KBDocument, doc)
            if document is not None:
                document.status = "failed"
                document.error = user_message(err, f"embedding document {document_id}")[:500]
                session.add(document)
        raise


def enqueue_embedding(document_id: uuid.UUID, org_id: uuid.UUID) -> None:
    """Queue the reading and embedding of a document (one job per document: a second click adds
    nothing) behind the organisation's other bulk jobs."""
    fair.enqueue(
        org_id, embed_document, str(document_id), str(org_id), job_id=f"kb-embed-{document_id}",
        job_timeout=EMBED_TIMEOUT, retry=Retry(max=2, interval=[5, 30]),
    )  # fmt: skip


def reembed_stale(org_id: str) -> int:
    """Re-embed every document of an organisation whose passages another model made."""
    org = uuid.UUID(org_id)
    with tenant_session(org) as session:
        stale = knowledge_base.stale_documents(session, org)
    for document_id in stale:
        embed_document(str(document_id), org_id)
    return len(stale)
