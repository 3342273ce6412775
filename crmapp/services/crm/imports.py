"""CSV import of contacts, companies and deals: upload, preview, mapping, dedupe policy, row-by-row
rejections.

The uploaded file waits on disk (`import_files`) until its import completes; what a page keeps is
its id and a preview. The import runs in batches; each batch commits together with the job's
progress, so a crash loses at most the batch in flight and a rerun resumes where it stopped.
Records created by an import carry `<file sha256>:<row number>`, so re-importing the same file
never creates them twice.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.imports import IMPORT_POLICIES, ImportJob, ImportRejection
from crmapp.services.crm import import_files, import_rows
from crmapp.services.platform import csvfile
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org, tenant_session
from crmapp.services.platform.errors import ValidationError, report, user_message
from crmapp.services.tenancy import audit, orgs
from crmapp.services.tenancy.permissions import Perm, require

MAX_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 500
PREVIEW_ROWS = 5
IGNORE = ""
ENTITIES = ("contact", "company", "deal")
TARGETS = {t.key: t.label for t in import_rows.SPECS["contact"].targets}


def targets(entity: str) -> dict[str, str]:
    """The fields a column of an `entity` file can fill, with their labels."""
    return {t.key: t.label for t in import_rows.spec(entity).targets}


def policy_choices(entity: str) -> list[list[str]]:
    """[policy, label] for what to do with a row that matches an existing record; none for an
    entity whose rows are never matched (deals)."""
    found = import_rows.spec(entity)
    if not found.match_on:
        return []
    key, noun = found.match_on, found.noun
    return [
        ["skip", f"Skip rows whose {key} matches a {noun}"],
        ["update", f"Update the matching {noun}"],
        ["create", f"Create a new {noun} anyway"],
    ]


def guess_mapping(headers: list[str], entity: str = "contact") -> list[str]:
    """For each column, the field it most likely holds ("" to ignore it)."""
    return import_rows.guess_mapping(entity, headers)


def printable(cell: str) -> str:
    """A cell as it can be shown and stored: undecodable bytes as U+FFFD, NUL as ␀."""
    text = cell.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("\x00", "␀")


def _rows(handle) -> Iterator[list[str]]:
    for row in csv.reader(handle):
        yield [csvfile.restore(cell) for cell in row]


@dataclass(frozen=True)
class Preview:
    """What the mapping step shows (and all a page keeps of the file: its id)."""

    file_id: str
    headers: list[str]
    mapping: list[str]
    rows: list[list[str]]
    total_rows: int
    encoding: str
    encodings: list[tuple[str, str]]  # (value, label) the user may choose from
    note: str  # what the page says about the encoding ("" for plain UTF-8)


def upload(
    actor: Actor, source: BinaryIO, *, entity: str = "contact", encoding: str = ""
) -> Preview:
    """Keep an uploaded file on disk and preview it; a refused file is not kept."""
    require(actor.role, Perm.RECORD_CREATE)
    file_id = import_files.save(actor.org_id, source, MAX_BYTES)
    try:
        return preview(actor, file_id, entity=entity, encoding=encoding)
    except ValidationError:
        import_files.discard(actor.org_id, file_id)
        raise


def discard_upload(actor: Actor, file_id: str) -> None:
    """Forget an upload that will not be imported (the user chose another file)."""
    import_files.discard(actor.org_id, file_id)


def preview(actor: Actor, file_id: str, *, entity: str = "contact", encoding: str = "") -> Preview:
    """Headers, guessed mapping, the first rows and the row count of an upload, read in
    `encoding` (detected when empty)."""
    require(actor.role, Perm.RECORD_CREATE)
    if not import_files.head(actor.org_id, file_id).strip():
        raise ValidationError({"file": "The file is empty."})
    detected = import_files.detect(actor.org_id, file_id)
    chosen = encoding if encoding in import_files.ENCODINGS else detected
    try:
        with import_files.open_text(actor.org_id, file_id, chosen) as handle:
            reader = _rows(handle)
            headers = [printable(h).strip() for h in next(reader, [])]
            rows: list[list[str]] = []
            total = 0
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                total += 1
                if len(rows) < PREVIEW_ROWS:
                    rows.append([printable(cell) for cell in row])
    except csv.Error as err:
        raise ValidationError({"file": f"This is not a readable CSV file: {err}."}) from err
    if not any(headers):
        raise ValidationError({"file": "The first row must name the columns."})
    choices = ["utf-8", "cp1252", "latin-1"] + (["utf-16"] if detected == "utf-16" else [])
    return Preview(
        file_id,
        headers,
        guess_mapping(headers, entity),
        rows,
        total,
        chosen,
        [(c, import_files.ENCODINGS[c]) for c in choices],
        _note(detected, chosen),
    )


def _note(detected: str, chosen: str) -> str:
    if detected in ("utf-8", "utf-16"):
        return ""
    if chosen == "utf-8":
        return (
            "This file is not UTF-8 text: its rows with other characters will be rejected. "
            "Choose Windows-1252 or Latin-1 to read them."
        )
    label = import_files.ENCODINGS[chosen]
    return (
        f"This file is not UTF-8 text: it is read as {label}. Check that accented letters look "
        "right below, or choose another encoding."
    )


def start_import(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    file_id: str,
    mapping: list[str],
    policy: str,
    entity: str = "contact",
    encoding: str = "utf-8",
) -> ImportJob:
    """Queue the import of an upload with its mapping (the caller enqueues the job)."""
    require(actor.role, Perm.RECORD_CREATE)
    problems = {}
    if entity not in ENTITIES:
        raise ValidationError({"entity": "Import contacts, companies or deals."})
    spec = import_rows.spec(entity)
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
    if encoding not in import_files.ENCODINGS:
        problems["encoding"] = "Choose the file's text encoding."
    if problems:
        raise ValidationError(problems)
    with import_files.open_text(actor.org_id, file_id, encoding) as handle:
        headers = [printable(h).strip() for h in next(_rows(handle), [])]
    job = ImportJob(
        org_id=actor.org_id,
        created_by=actor.user_id,
        filename=filename[:255],
        file_sha256=import_files.sha256(actor.org_id, file_id),
        encoding=encoding,
        mapping={"columns": mapping, "headers": headers},
        policy=policy,
        entity=entity,
    )
    import_files.rename(actor.org_id, file_id, job.id.hex)  # the file now belongs to the job
    session.add(job)
    audit.record(
        session,
        actor,
        "import.started",
        "import_job",
        job.id,
        {"file": job.filename, "policy": policy},
    )
    return job


def get_import(session: Session, actor: Actor, import_id: uuid.UUID) -> ImportJob:
    """An import of the actor's organisation."""
    require(actor.role, Perm.RECORD_READ)
    return get_in_org(session, ImportJob, import_id, actor.org_id, "Import not found.")


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
    writer = csvfile.Writer()
    writer.writerow(["row", "reason", *job.mapping.get("headers", [])])
    for rejection in rejections(session, actor, import_id):
        writer.writerow([rejection.row_number, rejection.reason, *rejection.raw])
    return writer.getvalue()


# --- the job's work -----------------------------------------------------------------------


def _load(session: Session, import_id: uuid.UUID) -> ImportJob:
    job = session.get(ImportJob, import_id)
    if job is None:
        raise LookupError(f"import {import_id} is gone")
    return job


def run_import(org_id: uuid.UUID, user_id: uuid.UUID, import_id: uuid.UUID) -> dict[str, int]:
    """Import every remaining row, one committed batch at a time, as the user who started it;
    idempotent on retry. Returns the counts.

    A batch the database refuses as a whole is redone row by row, so that the row at fault is
    rejected alone. A failure leaves the import `failed` with a sentence for the user (a
    reference to the logged traceback for anything internal), and the file for a retry.
    """
    actor = orgs.member_actor(org_id, user_id, "import")
    try:
        with tenant_session(org_id, user_id) as session:
            job = _load(session, import_id)
            if job.status == "done":
                return {"created": job.created_count}
            width, rows = data_rows(job)
            job.status, job.total_rows = "running", len(rows)
            session.add(job)
            start = job.processed_rows
        for offset in range(start, len(rows), BATCH_SIZE):
            batch = rows[offset : offset + BATCH_SIZE]
            try:
                with tenant_session(org_id, user_id) as session:
                    import_batch(session, actor, _load(session, import_id), batch, width)
            except DBAPIError:
                with tenant_session(org_id, user_id) as session:
                    job = _load(session, import_id)
                    import_batch(session, actor, job, batch, width, one_by_one=True)
        with tenant_session(org_id, user_id) as session:
            job = _load(session, import_id)
            finish(session, actor, job)
            outcome = {
                "created": job.created_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
            }
        discard_file(job)
        return outcome
    except Exception as err:
        message = user_message(err, f"import {import_id}")
        with tenant_session(org_id, user_id) as session:
            failed = session.get(ImportJob, import_id)
            if failed is not None:
                failed.status, failed.error = "failed", message[:2000]
                session.add(failed)
        raise


def import_batch(
    session: Session,
    actor: Actor,
    job: ImportJob,
    rows: list[tuple[int, list[str]]],
    width: int,
    *,
    one_by_one: bool = False,
) -> None:
    """Apply one batch of rows (their row numbers in the file) and advance the job's progress.

    `one_by_one` saves each row in its own savepoint, so that a row the database refuses (a value
    no check foresaw) is rejected alone: the job redoes a batch that way when it failed whole.
    """
    columns: list[str] = job.mapping["columns"]
    stages, default_stage = (
        import_rows.stages_by_name(session, job.org_id) if job.entity == "deal" else ({}, None)
    )
    checked = [
        (n, *import_rows.check_row(job.entity, r, width, columns, stages), r) for n, r in rows
    ]
    valid = [v for _, v, reason, _ in checked if not reason]
    ctx = import_rows.RowContext(session, job, valid)
    refs = {n: f"{job.file_sha256}:{n}" for n, _ in rows}
    done = ctx.done_refs(list(refs.values()))
    for row_number, values, reason, raw in checked:
        if not reason and refs[row_number] in done:
            job.skipped_count += 1
            continue
        outcome = ""
        if not reason and not one_by_one:
            outcome = import_rows.apply_row(ctx, actor, values, refs[row_number], default_stage)
        elif not reason:
            try:
                with session.begin_nested():
                    outcome = import_rows.apply_row(
                        ctx, actor, values, refs[row_number], default_stage
                    )
                    session.flush()
            except DBAPIError as err:
                reference = report(err, f"import {job.id} row {row_number}")
                reason = (
                    f"This row could not be saved (reference {reference}): the database refused "
                    "one of its values. Check the row and import it again."
                )
                ctx = import_rows.RowContext(session, job, valid)  # forget what was rolled back
        if reason:
            session.add(
                ImportRejection(
                    org_id=job.org_id,
                    import_id=job.id,
                    row_number=row_number,
                    reason=reason,
                    raw=[printable(c) for c in raw],
                )
            )
            job.rejected_count += 1
            continue
        job.created_count += outcome == "created"
        job.updated_count += outcome == "updated"
        job.skipped_count += outcome == "skipped"
    job.processed_rows += len(rows)
    session.add(job)


def data_rows(job: ImportJob) -> tuple[int, list[tuple[int, list[str]]]]:
    """The header width and the non-empty data rows with their row numbers (header is row 1)."""
    try:
        with import_files.open_text(job.org_id, job.id.hex, job.encoding) as handle:
            reader = _rows(handle)
            width = len(next(reader, []))
            rows = [(i, r) for i, r in enumerate(reader, start=2) if any(c.strip() for c in r)]
    except ValidationError:
        raise ValidationError(
            {"file": "The uploaded file is no longer on the server: upload it again."}
        ) from None
    return width, rows


def discard_file(job: ImportJob) -> None:
    """Remove the job's file (once the import has completed)."""
    import_files.discard(job.org_id, job.id.hex)


def finish(session: Session, actor: Actor, job: ImportJob) -> None:
    """Mark the import done and audit its outcome."""
    job.status, job.finished_at = "done", utcnow()
    session.add(job)
    audit.record(
        session,
        actor,
        "import.completed",
        "import_job",
        job.id,
        {
            "file": job.filename,
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "rejected": job.rejected_count,
        },
    )
