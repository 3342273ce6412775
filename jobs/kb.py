"""Knowledge-base jobs: read and embed an uploaded document; re-embed after the embedding model
or recipe changed (a bulk worker queues that at start for every organisation that needs it).
All are bulk work: they run on the bulk worker, one per organisation at a time."""

from __future__ import annotations

import uuid

from rq import Retry

from crmapp.services.platform.db import tenant_session
from crmapp.services.proposals import knowledge_base
from crmapp.services.tenancy import orgs
from jobs import fair

# Reading and embedding the largest document allowed (`knowledge_extract.MAX_CHARACTERS`) takes
# minutes.
EMBED_TIMEOUT = 1800


def embed_document(document_id: str, org_id: str) -> int:
    """Read and embed an uploaded document (`knowledge_base.process_document`)."""
    return knowledge_base.process_document(uuid.UUID(org_id), uuid.UUID(document_id))


def enqueue_embedding(document_id: uuid.UUID, org_id: uuid.UUID) -> None:
    """Queue the reading and embedding of a document (one job per document: a second click adds
    nothing) behind the organisation's other bulk jobs."""
    fair.enqueue(
        org_id,
        embed_document,
        str(document_id),
        str(org_id),
        job_id=f"kb-embed-{document_id}",
        job_timeout=EMBED_TIMEOUT,
        retry=Retry(max=2, interval=[5, 30]),
    )


def reembed_stale(org_id: str) -> int:
    """Re-embed every document of an organisation whose passages another model made."""
    return knowledge_base.reembed_stale(uuid.UUID(org_id))


def enqueue_stale_reembeds() -> list[str]:
    """Queue `reembed_stale` for every organisation with passages another model or recipe made
    (an upgrade that changed the recipe re-embeds that way); returns the job ids. Idempotent:
    a job already waiting is not queued again."""
    queued = []
    for org_id in orgs.all_org_ids():
        with tenant_session(org_id) as session:
            if not knowledge_base.stale_documents(session, org_id):
                continue
        queued.append(
            fair.enqueue(
                org_id,
                reembed_stale,
                str(org_id),
                job_id=f"kb-reembed-{org_id}",
                job_timeout=EMBED_TIMEOUT * 4,
            )
        )
    return queued
