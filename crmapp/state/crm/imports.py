"""CSV import wizard: upload → map columns and pick a dedupe policy → progress → report."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.models.imports import ImportJob
from crmapp.services.crm import imports
from crmapp.services.platform.actor import Actor
from crmapp.state.session import SessionState, attempt, call_as
from jobs.imports import enqueue_import

UPLOAD_ID = "csv-upload"
REPORT_ROWS = 200


def _progress(
    session: Session, actor: Actor, import_id: uuid.UUID
) -> tuple[ImportJob, list[dict[str, str]]]:
    """The import as it is now, and once it has finished the first rejected rows."""
    job = imports.get_import(session, actor, import_id)
    rows = []
    if job.status in ("done", "failed"):
        rows = [
            {"row": str(r.row_number), "reason": r.reason, "raw": ", ".join(r.raw)}
            for r in imports.rejections(session, actor, import_id, limit=REPORT_ROWS)
        ]
    session.expunge(job)
    return job, rows


class ImportState(SessionState):
    """One import at a time per tab. The file waits on disk (`import_files`): this keeps only
    its id and a preview, never its bytes."""

    step: str = "upload"  # upload | map | running | done | failed
    entity: str = "contact"  # contact | company | deal
    filename: str = ""
    headers: list[str] = []
    mapping: list[str] = []
    preview_rows: list[list[str]] = []
    total_rows: int = 0
    policy: str = "skip"
    error: str = ""
    import_id: str = ""
    processed: int = 0
    counts: dict[str, int] = {}
    rejected: list[dict[str, str]] = []
    encoding: str = "utf-8"
    encodings: list[list[str]] = []  # [value, label]
    encoding_note: str = ""
    _file_id: str = ""

    @rx.var
    def percent(self) -> int:
        """Progress of the running import."""
        return int(100 * self.processed / self.total_rows) if self.total_rows else 0

    @rx.var
    def targets(self) -> list[list[str]]:
        """(value, label) pairs for the mapping selects; "ignore" leaves a column out."""
        pairs = imports.targets(self.entity).items()
        return [["ignore", "Ignore this column"], *[[k, v] for k, v in pairs]]

    @rx.var
    def policy_choices(self) -> list[list[str]]:
        """(value, label) of the dedupe policies; none for deals (nothing to match on)."""
        return imports.policy_choices(self.entity)

    @rx.var
    def entity_plural(self) -> str:
        """What is being imported, as the page says it."""
        return {"company": "companies", "deal": "deals"}.get(self.entity, "contacts")

    @rx.var
    def list_href(self) -> str:
        """Where the imported records are listed."""
        return {"company": routes.COMPANIES, "deal": routes.DEALS_LIST}.get(
            self.entity, routes.CONTACTS
        )

    @rx.event
    def init(self):
        """on_load: what to import comes from `?entity=` (contacts by default)."""
        wanted = str(self.router.page.params.get("entity", "") or "")
        if wanted in imports.ENTITIES and self.step == "upload":
            self.entity = wanted

    @rx.event
    def set_entity(self, value: str | list[str]):
        """Import contacts, companies or deals."""
        value = value if isinstance(value, str) else value[0]
        if value in imports.ENTITIES:
            self.entity = value

    @rx.event
    def reset_wizard(self):
        """Start again with another file (the one not imported is removed)."""
        actor = self._actor()
        if actor is not None and self._file_id:
            imports.discard_upload(actor, self._file_id)
        self.step, self.error, self.import_id, self._file_id = "upload", "", "", ""
        self.headers, self.mapping, self.preview_rows, self.rejected = [], [], [], []
        self.counts, self.processed, self.total_rows = {}, 0, 0
        self.encodings, self.encoding_note = [], ""

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Keep the file on disk and show the guessed mapping with a preview."""
        self.error = ""
        actor = self._actor()
        if not files or actor is None:
            return
        upload = files[0]
        done = await asyncio.to_thread(
            attempt, imports.upload, actor, upload.file, entity=self.entity
        )
        self.error = done.error  # never a stuck page: an internal error says so with a reference
        if not done.ok:
            return
        preview = done.value
        if self._file_id:
            imports.discard_upload(actor, self._file_id)
        self._file_id, self.filename = preview.file_id, upload.name or "import.csv"
        self._show(preview)
        self.mapping = [m or "ignore" for m in preview.mapping]
        self.step = "map"

    def _show(self, preview: imports.Preview) -> None:
        self.headers, self.preview_rows = preview.headers, preview.rows
        self.total_rows, self.encoding = preview.total_rows, preview.encoding
        self.encodings = [list(pair) for pair in preview.encodings]
        self.encoding_note = preview.note

    @rx.event
    def set_encoding(self, encoding: str):
        """Read the file in another text encoding; the preview follows."""
        actor = self._actor()
        if actor is None or not self._file_id:
            return None
        done = attempt(imports.preview, actor, self._file_id, entity=self.entity, encoding=encoding)
        if done.ok:
            self._show(done.value)
        else:
            self.error = done.error
        return None

    @rx.event
    def set_column(self, index: int, target: str):
        """Map column `index` to a contact field."""
        mapping = list(self.mapping)
        mapping[index] = target
        self.mapping = mapping

    @rx.event
    def set_policy(self, policy: str):
        """What to do with a row whose email matches an existing contact."""
        self.policy = policy

    @rx.event
    def start(self):
        """Store the import and queue the job; then follow its progress."""
        columns = ["" if m == "ignore" else m for m in self.mapping]

        def store(session: Session, actor: Actor) -> tuple[uuid.UUID, Actor]:
            job = imports.start_import(
                session,
                actor,
                filename=self.filename,
                file_id=self._file_id,
                mapping=columns,
                policy=self.policy,
                entity=self.entity,
                encoding=self.encoding,
            )
            return job.id, actor

        done = self._service(store)
        self.error = done.error
        if not done.ok:
            return done.login
        job_id, actor = done.value
        enqueue_import(job_id, actor.org_id, actor.user_id)
        self.import_id, self.step, self.processed, self._file_id = str(job_id), "running", 0, ""
        return ImportState.follow

    @rx.event(background=True)
    async def follow(self):
        """Poll the job's progress until it finishes (the page stays responsive meanwhile)."""
        while True:
            async with self:
                actor = self._actor()
                import_id = self.import_id
            if actor is None or not import_id:
                return
            done = await asyncio.to_thread(call_as, actor, _progress, uuid.UUID(import_id))
            if not done.ok:
                return done.toast
            job, rows = done.value
            async with self:
                self.total_rows = job.total_rows or self.total_rows
                self.processed = job.processed_rows
                self.counts = {
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "skipped": job.skipped_count,
                    "rejected": job.rejected_count,
                }
                if job.status in ("done", "failed"):
                    self.step = job.status
                    self.error = job.error
                    self.rejected = rows
                    return None
            await asyncio.sleep(0.4)

    @rx.event
    def download_rejections(self):
        """The rejected rows as a CSV file."""
        if not self.import_id:
            return None
        done = self._service(imports.rejections_csv, uuid.UUID(self.import_id))
        if not done.ok:
            return done.toast
        return rx.download(data=done.value, filename="rejected-rows.csv")
