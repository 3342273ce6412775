"""CSV import of contacts (mapping, preview, dedupe policy, row-by-row rejections) and export.

The import runs in batches; each batch commits together with the job's progress, so a crash loses
at most the batch in flight and a rerun resumes where it stopped. Contacts created by an import
carry `<file sha256>:<row number>`, so re-importing the same file never creates them twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.imports import IMPORT_POLICIES, ImportJob, ImportRejection
from crmapp.services import audit, importers
from crmapp.services.context import Actor
from crmapp.services.errors import NotFound, ValidationError
from crmapp.services.permissions import Perm, require

MAX_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 500
PREVIEW_ROWS = 5
IGNORE = ""
ENTITIES = ("contact", "company", "deal")
TARGETS = {t.key: t.label for t in importers.SPECS["contact"].targets}


def targets(entity: str) -> dict[str, str]:
    """The fields a column of an `entity` file can fill, with their labels."""
    return {t.key: t.label for t in importers.spec(entity).targets}


def guess_mapping(headers: list[str], entity: str = "contact") -> list[str]:
    """For each column, the field it most likely holds ("" to ignore it)."""
    return importers.guess_mapping(entity, headers)


def decode(content: bytes) -> str:
    """UTF-8 text (BOM dropped); undecodable bytes survive as surrogates so rows can be refused."""
    return content.decode("utf-8-sig", errors="surrogateescape")


def _rows(content: bytes) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(decode(content), newline=""))


@dataclass(frozen=True)
class Preview:
    """What the mapping step shows."""

    headers: list[str]
    mapping: list[str]
    rows: list[list[str]]
    total_rows: int


def preview(content: bytes, entity: str = "contact") -> Preview:
    """Headers, guessed mapping, the first rows and the row count of an uploaded file."""
    if not content.strip():
        raise ValidationError({"file": "The file is empty."})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 50 MB: split it."})
    try:
        reader = _rows(content)
        headers = [h.strip() for h in next(reader)]
        rows: list[list[str]] = []
        total = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            total += 1
            if len(rows) < PREVIEW_ROWS:
                rows.append(row)
    except csv.Error as err:
        raise ValidationError({"file": f"This is not a readable CSV file: {err}."}) from err
    if not any(headers):
        raise ValidationError({"file": "The first row must name the columns."})
    return Preview(headers, guess_mapping(headers, entity), rows, total)


def start_import(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    content: bytes,
    mapping: list[str],
    policy: str,
    entity: str = "contact",
) -> ImportJob:
    """Store the file and its mapping as a queued import (the caller enqueues the job)."""
    require(actor.role, Perm.RECORD_CREATE)
    problems = {}
    if entity not in ENTITIES:
        raise ValidationError({"entity": "Import contacts, companies or deals."})
    spec = importers.spec(entity)
    if not spec.match_on:
        policy = "create"  # nothing to match rows on: every row is a new record
    if policy not in IMPORT_POLICIES:
        problems["policy"] = f"Choose skip, update or create for existing {spec.noun} records."
    targets = [m for m in mapping if m]
    known = {t.key: t.label for t in spec.targets}
    if not any(t in targets for t in spec.required):
        problems["mapping"] = (
            "Map a column to " + " or ".join(known[k] for k in spec.required) + "."
        )
    unknown = [t for t in targets if t not in known]
    if unknown:
        problems["mapping"] = f"Unknown fields: {', '.join(unknown)}."
    if len(targets) != len(set(targets)):
        problems["mapping"] = "Map each field from one column only."
    if problems:
        raise ValidationError(problems)
    job = ImportJob(
        org_id=actor.org_id,
        created_by=actor.user_id,
        filename=filename[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        mapping={"columns": mapping},
        policy=policy,
        entity=entity,
    )
    session.add(job)
    audit.record(session, actor, "import.started", "import_job", job.id,
                 {"file": job.filename, "policy": policy})  # fmt: skip
    return job


def get_import(session: Session, actor: Actor, import_id: uuid.UUID) -> ImportJob:
    """An import of the actor's organisation."""
    require(actor.role, Perm.RECORD_READ)
    job = session.exec(
        select(ImportJob).where(ImportJob.id == import_id, ImportJob.org_id == actor.org_id)
    ).first()
    if job is None:
        raise NotFound("Import not found.")
    return job


def rejections(
    session: Session, actor: Actor, import_id: uuid.UUID, *, limit: int | None = None
) -> list[ImportRejection]:
    """Rejected rows of an import, in file order."""
    get_import(session, actor, import_id)
    query = (
        select(ImportRejection)
        .where(ImportRejection.import_id == import_id, ImportRejection.org_id == actor.org_id)
        .order_by(col(ImportRejection.row_number))
    )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query).all())


def rejections_csv(session: Session, actor: Actor, import_id: uuid.UUID) -> str:
    """The rejected rows as a CSV: row number, reason, then the row as it was."""
    job = get_import(session, actor, import_id)
    headers = next(_rows(job.content), [])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "reason", *headers])
    for rejection in rejections(session, actor, import_id):
        writer.writerow([rejection.row_number, rejection.reason, *rejection.raw])
    return out.getvalue()


# --- the job's work -----------------------------------------------------------------------


def import_batch(
    session: Session, actor: Actor, job: ImportJob, rows: list[tuple[int, list[str]]], width: int
) -> None:
    """Apply one batch of rows (their row numbers in the file) and advance the job's progress."""
    columns: list[str] = job.mapping["columns"]
    stages, default_stage = (
        importers.stages_by_name(session, job.org_id) if job.entity == "deal" else ({}, None)
    )
    checked = [(n, *importers.check_row(job.entity, r, width, columns, stages), r) for n, r in rows]
    ctx = importers.RowContext(session, job, [v for _, v, reason, _ in checked if not reason])
    refs = {n: f"{job.file_sha256}:{n}" for n, _ in rows}
    done = ctx.done_refs(list(refs.values()))
    for row_number, values, reason, raw in checked:
        if reason:
            printable = [
                c.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for c in raw
            ]
            session.add(
                ImportRejection(
                    org_id=job.org_id, import_id=job.id, row_number=row_number, reason=reason,
                    raw=printable,
                )
            )  # fmt: skip
            job.rejected_count += 1
            continue
        if refs[row_number] in done:
            job.skipped_count += 1
            continue
        outcome = importers.apply_row(ctx, actor, values, refs[row_number], default_stage)
        job.created_count += outcome == "created"
        job.updated_count += outcome == "updated"
        job.skipped_count += outcome == "skipped"
    job.processed_rows += len(rows)
    session.add(job)


def data_rows(job: ImportJob) -> tuple[int, list[tuple[int, list[str]]]]:
    """The header width and the non-empty data rows with their row numbers (header is row 1)."""
    reader = _rows(job.content)
    width = len(next(reader, []))
    rows = [(i, r) for i, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    return width, rows


def finish(session: Session, actor: Actor, job: ImportJob) -> None:
    """Mark the import done and audit its outcome."""
    job.status, job.finished_at = "done", utcnow()
    session.add(job)
    audit.record(
        session, actor, "import.completed", "import_job", job.id,
        {"file": job.filename, "created": job.created_count, "updated": job.updated_count,
         "skipped": job.skipped_count, "rejected": job.rejected_count},
    )  # fmt: skip
