"""The CSV import job: takes the import's id, reloads, resumes from the last committed batch."""

from __future__ import annotations

import uuid

from crmapp.services.crm import imports


def run_import(import_id: str, org_id: str, user_id: str) -> dict[str, int]:
    """Import every remaining row (`imports.run_import`); idempotent on retry."""
    return imports.run_import(uuid.UUID(org_id), uuid.UUID(user_id), uuid.UUID(import_id))


def enqueue_import(import_id: uuid.UUID, org_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """Queue the import under a deterministic id (a second click cannot queue it twice) behind
    the organisation's other bulk jobs (the bulk worker runs one per organisation at a time)."""
    from rq import Retry

    from jobs import fair

    return fair.enqueue(
        org_id,
        run_import,
        str(import_id),
        str(org_id),
        str(user_id),
        job_id=f"import-{import_id}",
        job_timeout=3600,
        retry=Retry(max=2, interval=[5, 30]),
    )
