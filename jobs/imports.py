"""The CSV import job: takes the import's id, reloads, resumes from the last committed batch."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import DBAPIError

from crmapp.models.imports import ImportJob
from crmapp.services.crm import imports
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import user_message
from jobs.actors import job_actor


def _load(session, import_id: str) -> ImportJob:
    job = session.get(ImportJob, uuid.UUID(import_id))
    if job is None:
        raise LookupError(f"import {import_id} is gone")
    return job


def run_import(import_id: str, org_id: str, user_id: str) -> dict[str, int]:
    """Import every remaining row, one committed batch at a time; idempotent on retry.

    A batch the database refuses as a whole is redone row by row, so that the row at fault is
    rejected alone. A failure leaves the job `failed` with a sentence for the user (a reference
    to the logged traceback for anything internal), and the file for a retry.
    """
    org, user = uuid.UUID(org_id), uuid.UUID(user_id)
    actor = job_actor(org, user, "import")
    try:
        with tenant_session(org, user) as session:
            job = _load(session, import_id)
            if job.status == "done":
                return {"created": job.created_count}
            width, rows = imports.data_rows(job)
            job.status, job.total_rows = "running", len(rows)
            session.add(job)
            start = job.processed_rows
        for offset in range(start, len(rows), imports.BATCH_SIZE):
            batch = rows[offset : offset + imports.BATCH_SIZE]
            try:
                with tenant_session(org, user) as session:
                    imports.import_batch(session, actor, _load(session, import_id), batch, width)
            except DBAPIError:
                with tenant_session(org, user) as session:
                    job = _load(session, import_id)
                    imports.import_batch(session, actor, job, batch, width, one_by_one=True)
        with tenant_session(org, user) as session:
            job = _load(session, import_id)
            imports.finish(session, actor, job)
            outcome = {
                "created": job.created_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
            }
        imports.discard_file(job)
        return outcome
    except Exception as err:
        message = user_message(err, f"import {import_id}")
        with tenant_session(org, user) as session:
            failed = session.get(ImportJob, uuid.UUID(import_id))
            if failed is not None:
                failed.status, failed.error = "failed", message[:2000]
                session.add(failed)
        raise


def enqueue_import(import_id: uuid.UUID, org_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """Queue the import under a deterministic id (a second click cannot queue it twice) behind
    the organisation's other bulk jobs (the bulk worker runs one per organisation at a time)."""
    from rq import Retry

    from jobs import fair

    return fair.enqueue(
        org_id, run_import, str(import_id), str(org_id), str(user_id), job_id=f"import-{import_id}",
        job_timeout=3600, retry=Retry(max=2, interval=[5, 30]),
    )  # fmt: skip
