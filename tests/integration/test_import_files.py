"""What an uploaded file can be: its encoding, binary files, NUL bytes, formulas; where it lives.

A file is kept on disk under the data directory (per organisation) from the upload until its import
completes, never in the page's state; what the page keeps is a reference and a preview.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
import time
import zipfile

import pytest
from sqlalchemy import text

from crmapp.services.crm import basic_records, import_files, imports, list_views, records
from crmapp.services.platform.errors import ValidationError
from jobs import imports as import_jobs
from tests import factories
from tests.integration.test_imports import run_file

CP1252 = "First name,Last name,Email\nFrançois,Müller,f@x.example\nZoë,“Quoted”,z@x.example\n"


def upload(signed, content: bytes, **kwargs) -> imports.Preview:
    return imports.upload(signed.actor, io.BytesIO(content), **kwargs)


def stored_files(signed) -> list[str]:
    folder = import_files.folder(signed.actor.org_id)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def every_text(preview: imports.Preview) -> list[str]:
    return [*preview.headers, *(cell for row in preview.rows for cell in row)]


# --- encodings (item 26) --------------------------------------------------------------------


def test_a_windows_1252_file_is_read_as_windows_1252_and_its_accents_land(rq_worker_burst):
    owner = factories.signup()
    preview = upload(owner, CP1252.encode("cp1252"))
    assert preview.encoding == "cp1252"
    assert "Windows-1252" in preview.note
    assert [value for value, _label in preview.encodings] == ["utf-8", "cp1252", "latin-1"]
    assert preview.rows[0] == ["François", "Müller", "f@x.example"]
    assert preview.rows[1][1] == "“Quoted”"
    job = run_file(owner, preview, "create", rq_worker_burst)
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 0)
    with factories.scoped(owner) as session:
        names = sorted(
            f"{c.first_name} {c.last_name}"
            for c in basic_records.list_contacts(session, owner.actor)[0]
        )
    assert names == ["François Müller", "Zoë “Quoted”"]


def test_read_as_utf_8_the_same_file_previews_printable_text_and_rejects_its_rows(rq_worker_burst):
    owner = factories.signup()
    first = upload(owner, CP1252.encode("cp1252"))
    preview = imports.preview(owner.actor, first.file_id, encoding="utf-8")
    assert preview.encoding == "utf-8"
    assert preview.rows[0][0] == "Fran\ufffdois"
    for cell in every_text(preview):
        cell.encode("utf-8")  # what the page is sent: no surrogates (the 500 of /_upload)
    job = run_file(owner, preview, "create", rq_worker_burst)
    with factories.scoped(owner) as session:
        reasons = {r.row_number: r.reason for r in imports.rejections(session, owner.actor, job.id)}
    assert reasons == {2: "Not UTF-8 text: save the file as CSV UTF-8.", 3: reasons[2]}


def test_a_utf_16_file_with_its_mark_is_read():
    owner = factories.signup()
    preview = upload(owner, "First name,Email\nJosé,j@x.example\n".encode("utf-16"))
    assert (preview.encoding, preview.headers, preview.rows) == (
        "utf-16",
        ["First name", "Email"],
        [["José", "j@x.example"]],
    )


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (_xlsx(), "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG image"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
        (bytes((i * 7919) % 256 for i in range(4096)), "binary"),
    ],
)
def test_a_binary_file_is_refused_with_a_message_and_not_kept(content, says):
    owner = factories.signup()
    with pytest.raises(ValidationError) as refused:
        upload(owner, content)
    message = refused.value.fields["file"]
    assert message.startswith("This is not a CSV file") and says in message
    assert "CSV" in message.split(":", 1)[1]  # and what to do instead
    assert stored_files(owner) == []


# --- NUL bytes and what the database refuses (item 27) ---------------------------------------


def test_a_nul_byte_rejects_its_row_only(rq_worker_burst):
    owner = factories.signup()
    content = b"First name,Email\nAda,ada@x.example\nN\x00ul,nul@x.example\nBea,bea@x.example\n"
    job = run_file(owner, upload(owner, content), "create", rq_worker_burst)
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 1)
    with factories.scoped(owner) as session:
        [rejected] = imports.rejections(session, owner.actor, job.id)
        report = imports.rejections_csv(session, owner.actor, job.id)
    assert rejected.row_number == 3
    assert rejected.reason == "Contains a NUL character (a binary byte): remove it and try again."
    assert rejected.raw == ["N␀ul", "nul@x.example"]
    assert list(csv.reader(io.StringIO(report)))[1][2] == "N␀ul"


def test_a_row_the_database_refuses_is_rejected_alone_without_sql(monkeypatch, caplog):
    """A value no check foresaw fails its own row, with a reference, never the whole import."""
    owner = factories.signup()
    content = b"First name,Email\nAda,ada@x.example\nBoom,boom@x.example\nBea,bea@x.example\n"
    preview = upload(owner, content)
    with factories.scoped(owner) as session:
        job = imports.start_import(
            session,
            owner.actor,
            filename="p.csv",
            file_id=preview.file_id,
            mapping=preview.mapping,
            policy="create",
            encoding=preview.encoding,
        )
    from crmapp.services.crm import import_rows

    real_apply = import_rows.apply_row

    def slip_a_nul_past_the_checks(ctx, actor, values, ref, default_stage):
        if values.get("first_name") == "Boom":
            values = {**values, "first_name": "Bo\x00om"}  # PostgreSQL refuses NUL in text
        return real_apply(ctx, actor, values, ref, default_stage)

    monkeypatch.setattr(import_rows, "apply_row", slip_a_nul_past_the_checks)
    caplog.set_level(logging.ERROR)
    import_jobs.run_import(str(job.id), str(owner.actor.org_id), str(owner.actor.user_id))
    with factories.scoped(owner) as session:
        done = imports.get_import(session, owner.actor, job.id)
        [rejected] = imports.rejections(session, owner.actor, job.id)
        names = sorted(c.first_name for c in basic_records.list_contacts(session, owner.actor)[0])
    assert (done.status, done.created_count, done.rejected_count, names) == (
        "done",
        2,
        1,
        ["Ada", "Bea"],
    )
    assert rejected.row_number == 3
    assert rejected.reason.startswith("This row could not be saved")
    _assert_generic(rejected.reason, caplog)


def _assert_generic(message: str, caplog) -> None:
    """`message` names a reference and nothing internal; the log has it with the traceback."""
    for internal in ("SQL", "INSERT", "SELECT", "parameters", "psycopg", "Error", "Traceback"):
        assert internal not in message
    reference = message.split("reference ", 1)[1][:8]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback, for the administrator


def test_a_failed_import_shows_a_reference_not_the_database_error(monkeypatch, caplog):
    owner = factories.signup()
    preview = upload(owner, b"First name\nAda\n")
    with factories.scoped(owner) as session:
        job = imports.start_import(
            session,
            owner.actor,
            filename="p.csv",
            file_id=preview.file_id,
            mapping=preview.mapping,
            policy="create",
            encoding=preview.encoding,
        )

    def database_refuses(session, *args, **kwargs):
        session.execute(text("SELECT CAST(:value AS text)"), {"value": "a\x00b"})

    monkeypatch.setattr(imports, "import_batch", database_refuses)
    caplog.set_level(logging.ERROR)
    with pytest.raises(Exception, match="NUL"):  # RQ sees the real error (and retries)
        import_jobs.run_import(str(job.id), str(owner.actor.org_id), str(owner.actor.user_id))
    with factories.scoped(owner) as session:
        failed = imports.get_import(session, owner.actor, job.id)
    assert failed.status == "failed"
    assert failed.error.startswith("Something went wrong on our side (reference ")
    _assert_generic(failed.error, caplog)


# --- formulas in every CSV Tandem writes (item 25) --------------------------------------------


FORMULAS = {
    "first_name": '=HYPERLINK("http://evil.example","Click")',
    "last_name": "@SUM(1+1)",
    "title": "+cmd|' /C calc'!A0",
    "source": "-2+3",
}


def test_the_list_export_neutralises_formulas_and_imports_back_unchanged(rq_worker_burst):
    owner = factories.signup()
    with factories.scoped(owner) as session:
        records.save_record(
            session, owner.actor, "contact", None, {**FORMULAS, "email": "f@x.example"}
        )
    with factories.scoped(owner) as session:
        exported = list_views.export_csv(session, owner.actor, "contact", list_views.ListSpec())
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert (row["First name"], row["Last name"], row["Job title"], row["Source"]) == tuple(
        "'" + FORMULAS[k] for k in ("first_name", "last_name", "title", "source")
    )
    other = factories.signup()  # the file imports back as the values it came from
    job = run_file(other, upload(other, exported.encode()), "create", rq_worker_burst)
    assert job.created_count == 1, job.error
    with factories.scoped(other) as session:
        [contact] = basic_records.list_contacts(session, other.actor)[0]
    assert (contact.first_name, contact.last_name, contact.title, contact.source) == tuple(
        FORMULAS[k] for k in ("first_name", "last_name", "title", "source")
    )


def test_the_rejected_rows_download_neutralises_formulas(rq_worker_burst):
    owner = factories.signup()
    content = (
        b'=cmd|\' /C calc\'!A0,Email\n"=HYPERLINK(""http://evil.example"",""x"")",not-an-email\n'
    )
    preview = upload(owner, content)
    job = run_file(owner, preview, "create", rq_worker_burst, mapping=["first_name", "email"])
    with factories.scoped(owner) as session:
        rows = list(csv.reader(io.StringIO(imports.rejections_csv(session, owner.actor, job.id))))
    assert rows[0] == ["row", "reason", "'=cmd|' /C calc'!A0", "Email"]
    assert rows[1][2:] == ['\'=HYPERLINK("http://evil.example","x")', "not-an-email"]


# --- where the file lives (item 24) ----------------------------------------------------------


def test_the_upload_waits_on_disk_and_is_removed_once_the_import_completes(rq_worker_burst):
    owner = factories.signup()
    preview = upload(owner, b"First name,Email\nAda,ada@x.example\n")
    assert not any(isinstance(v, bytes) for v in dataclasses.asdict(preview).values())
    assert stored_files(owner) != []  # on disk, in the organisation's folder
    other = factories.signup()
    with pytest.raises(ValidationError, match="upload it again"):  # not another tenant's
        imports.preview(other.actor, preview.file_id)
    job = run_file(owner, preview, "skip", rq_worker_burst)
    assert (job.status, job.created_count) == ("done", 1)
    assert stored_files(owner) == []


def test_choosing_another_file_removes_the_first_and_day_old_uploads_are_swept():
    owner = factories.signup()
    dropped = upload(owner, b"First name\nAda\n")
    imports.discard_upload(owner.actor, dropped.file_id)
    assert stored_files(owner) == []
    stale = upload(owner, b"First name\nOld\n")
    fresh = upload(owner, b"First name\nNew\n")
    day_old = time.time() - 25 * 3600
    os.utime(import_files.folder(owner.actor.org_id) / stale.file_id, (day_old, day_old))
    assert import_files.sweep() >= 1
    assert stored_files(owner) == [fresh.file_id]
