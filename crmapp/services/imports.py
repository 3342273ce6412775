"""CSV import of contacts (mapping, preview, dedupe policy, row-by-row rejections) and export.

The import runs in batches; each batch commits together with the job's progress, so a crash loses
at most the batch in flight and a rerun resumes where it stopped. Contacts created by an import
carry `<file sha256>:<row number>`, so re-importing the same file never creates them twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.crm import Company, Contact
from crmapp.models.imports import IMPORT_POLICIES, ImportJob, ImportRejection
from crmapp.services import audit
from crmapp.services.auth import EMAIL_RE
from crmapp.services.context import Actor
from crmapp.services.errors import NotFound, ValidationError
from crmapp.services.permissions import Perm, require

MAX_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 500
PREVIEW_ROWS = 5
IGNORE = ""
TARGETS = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split)",
    "email": "Email",
    "phone": "Phone",
    "title": "Job title",
    "company": "Company (found or created by name)",
}
_GUESSES = {
    "first_name": ("first name", "firstname", "given name", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "full_name": ("name", "full name", "contact", "contact name"),
    "email": ("email", "e-mail", "email address", "mail", "work email"),
    "phone": ("phone", "phone number", "telephone", "mobile", "tel"),
    "title": ("title", "job title", "position", "role"),
    "company": ("company", "organisation", "organization", "account", "company name"),
}
PHONE_RE = re.compile(r"^[0-9+\-(). ]{3,40}$")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z]+", "", header.lower())


def guess_mapping(headers: list[str]) -> list[str]:
    """For each column, the contact field it most likely holds ("" to ignore it)."""
    used: set[str] = set()
    mapping = []
    for header in headers:
        normalized = _norm(header)
        target = next(
            (
                t
                for t, names in _GUESSES.items()
                if normalized in {_norm(n) for n in names} and t not in used
            ),
            IGNORE,
        )
        used.add(target)
        mapping.append(target)
    return mapping


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


def preview(content: bytes) -> Preview:
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
    return Preview(headers, guess_mapping(headers), rows, total)


def start_import(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    content: bytes,
    mapping: list[str],
    policy: str,
) -> ImportJob:
    """Store the file and its mapping as a queued import (the caller enqueues the job)."""
    require(actor.role, Perm.RECORD_CREATE)
    problems = {}
    if policy not in IMPORT_POLICIES:
        problems["policy"] = "Choose skip, update or create for existing contacts."
    targets = [m for m in mapping if m]
    if not any(t in targets for t in ("first_name", "full_name")):
        problems["mapping"] = "Map a column to First name or Full name."
    unknown = [t for t in targets if t not in TARGETS]
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


def export_contacts_csv(session: Session, actor: Actor, *, search: str = "") -> str:
    """Every live contact matching the list's search, as CSV."""
    from crmapp.services.crm import contacts_query

    require(actor.role, Perm.RECORD_READ)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First name", "Last name", "Email", "Phone", "Job title", "Company"])
    names = dict(
        session.exec(select(Company.id, Company.name).where(Company.org_id == actor.org_id)).all()
    )
    for contact in session.exec(contacts_query(actor, search).order_by(col(Contact.created_at))):
        company = names.get(contact.company_id) if contact.company_id else None
        writer.writerow(
            [contact.first_name, contact.last_name, contact.email, contact.phone, contact.title,
             company or ""]
        )  # fmt: skip
    return out.getvalue()


# --- the job's work -----------------------------------------------------------------------


def _values(row: list[str], columns: list[str]) -> dict[str, str]:
    values = {t: row[i].strip() for i, t in enumerate(columns) if t and i < len(row)}
    if "full_name" in values:
        first, _, last = values.pop("full_name").partition(" ")
        values.setdefault("first_name", first)
        values.setdefault("last_name", last.strip())
    if "email" in values:
        values["email"] = values["email"].lower()
    return values


def check_row(row: list[str], width: int, columns: list[str]) -> tuple[dict[str, str], str]:
    """The row's contact fields, or the reason it is refused."""
    if len(row) != width:
        return {}, f"Row has {len(row)} columns; the header has {width}."
    if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
        return {}, "Not UTF-8 text: save the file as CSV UTF-8."
    values = _values(row, columns)
    if not values.get("first_name"):
        return {}, "First name is empty."
    if values.get("email") and not EMAIL_RE.match(values["email"]):
        return {}, f"Invalid email: {values['email']!r}."
    if values.get("phone") and not PHONE_RE.match(values["phone"]):
        return {}, f"Invalid phone number: {values['phone']!r}."
    for name, limit in (("first_name", 100), ("last_name", 100), ("title", 120)):
        if len(values.get(name, "")) > limit:
            return {}, f"{TARGETS[name]} is longer than {limit} characters."
    return values, ""


class _Batch:
    """Lookups for one batch: existing contacts by email and rows already imported."""

    def __init__(self, session: Session, job: ImportJob, rows: list[tuple[int, dict[str, str]]]):
        self.session, self.job = session, job
        emails = {v["email"] for _, v in rows if v.get("email")}
        refs = [self.ref(n) for n, _ in rows]
        self.by_email: dict[str, Contact] = {}
        if emails:
            for contact in session.exec(
                select(Contact).where(
                    Contact.org_id == job.org_id,
                    col(Contact.deleted_at).is_(None),
                    func.lower(Contact.email).in_(emails),
                )
            ).all():
                self.by_email.setdefault(contact.email.lower(), contact)
        self.done_refs = set(
            session.exec(
                select(Contact.import_ref).where(
                    Contact.org_id == job.org_id, col(Contact.import_ref).in_(refs)
                )
            ).all()
        )
        names = {v["company"].lower() for _, v in rows if v.get("company")}
        self.companies: dict[str, uuid.UUID] = {}
        if names:
            for company_id, name in session.exec(
                select(Company.id, Company.name).where(
                    Company.org_id == job.org_id,
                    func.lower(Company.name).in_(names),
                    col(Company.deleted_at).is_(None),
                )
            ).all():
                self.companies.setdefault(name.lower(), company_id)

    def ref(self, row_number: int) -> str:
        return f"{self.job.file_sha256}:{row_number}"

    def company_id(self, name: str, actor: Actor) -> uuid.UUID | None:
        """The company called `name` (any case), created on first sight."""
        if not name:
            return None
        key = name.lower()
        if key not in self.companies:
            company = Company(org_id=actor.org_id, name=name[:200], owner_id=actor.user_id)
            self.session.add(company)
            self.companies[key] = company.id
        return self.companies[key]


FIELDS = ("first_name", "last_name", "email", "phone", "title")


def import_batch(
    session: Session, actor: Actor, job: ImportJob, rows: list[tuple[int, list[str]]], width: int
) -> None:
    """Apply one batch of rows (their row numbers in the file) and advance the job's progress."""
    columns: list[str] = job.mapping["columns"]
    checked = [(n, *check_row(r, width, columns), r) for n, r in rows]
    batch = _Batch(session, job, [(n, v) for n, v, reason, _ in checked if not reason])
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
        ref = batch.ref(row_number)
        existing = batch.by_email.get(values.get("email", "")) if values.get("email") else None
        if ref in batch.done_refs or (existing is not None and job.policy == "skip"):
            job.skipped_count += 1
            continue
        company_id = batch.company_id(values.get("company", ""), actor)
        if existing is not None and job.policy == "update":
            for name in FIELDS:
                if values.get(name):
                    setattr(existing, name, values[name])
            if company_id:
                existing.company_id = company_id
            session.add(existing)
            job.updated_count += 1
            continue
        contact = Contact(
            org_id=job.org_id, owner_id=actor.user_id, import_ref=ref, company_id=company_id,
            first_name=values["first_name"], last_name=values.get("last_name", ""),
            email=values.get("email", ""), phone=values.get("phone", ""),
            title=values.get("title", ""),
        )  # fmt: skip
        session.add(contact)
        if contact.email:
            batch.by_email.setdefault(contact.email, contact)
        job.created_count += 1
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
