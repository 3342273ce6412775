"""CSV import on the real worker: bad rows reported row by row, good rows land, dedupe, reruns."""

from __future__ import annotations

import csv
import io

import pytest

from crmapp.services.crm import basic_records, imports
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from jobs import imports as import_jobs
from tests import factories

BAD_FILE = (
    b"First name,Last name,Email,Phone,Company\n"
    b"Ada,Lovelace,ada@engine.example,+44 20 7946 0000,Analytical Engines\n"
    b"Bob,Broken,not-an-email,,\n"
    b"Ragged,Row,ragged@x.example\n"
    b",Nameless,nameless@x.example,,\n"
    b"Carla,Calls,carla@x.example,call me maybe,\n"
    b"Dora,Dup,existing@x.example,,\n"
    b"\n"
    b"Eve,Engine,eve@engine.example,,analytical engines\n"
) + "Fran,\xe7ois,fran@x.example,,\n".encode("latin-1")


def run_file(signed, preview, policy: str, rq_worker_burst, mapping=None, entity="contact"):
    """Import an uploaded file (its preview) on the real worker; returns the finished job."""
    with factories.scoped(signed) as session:
        job = imports.start_import(
            session,
            signed.actor,
            filename="people.csv",
            file_id=preview.file_id,
            mapping=mapping or preview.mapping,
            policy=policy,
            entity=entity,
            encoding=preview.encoding,
        )
    import_jobs.enqueue_import(job.id, signed.actor.org_id, signed.actor.user_id)
    rq_worker_burst()
    with factories.scoped(signed) as session:
        return imports.get_import(session, signed.actor, job.id)


def upload(signed, content: bytes, entity: str = "contact", encoding: str = ""):
    """Upload `content` as the import page does; returns its preview."""
    return imports.upload(signed.actor, io.BytesIO(content), entity=entity, encoding=encoding)


def _run(
    signed,
    content: bytes,
    policy: str,
    rq_worker_burst,
    mapping=None,
    entity="contact",
    encoding="",
):
    preview = upload(signed, content, entity, encoding)
    return run_file(signed, preview, policy, rq_worker_burst, mapping=mapping, entity=entity)


def test_bad_rows_are_reported_row_by_row_and_good_rows_land(rq_worker_burst):
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Old", email="existing@x.example")
        )
    job = _run(owner, BAD_FILE, "skip", rq_worker_burst, encoding="utf-8")

    assert job.status == "done", job.error
    assert (job.total_rows, job.created_count, job.skipped_count, job.rejected_count) == (
        8,
        2,
        1,
        5,
    )
    with factories.scoped(owner) as session:
        reasons = {r.row_number: r.reason for r in imports.rejections(session, owner.actor, job.id)}
        names = sorted(c.first_name for c in basic_records.list_contacts(session, owner.actor)[0])
        report = imports.rejections_csv(session, owner.actor, job.id)
    assert reasons == {
        3: "Email: enter a valid email address. Got 'not-an-email'.",
        4: "Row has 3 columns; the header has 5.",
        5: "First name is empty.",
        6: "Phone: phone numbers use digits, spaces and + - ( ). Got 'call me maybe'.",
        10: "Not UTF-8 text: save the file as CSV UTF-8.",
    }
    assert names == ["Ada", "Eve", "Old"]
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[0] == ["row", "reason", "First name", "Last name", "Email", "Phone", "Company"]
    assert rows[1][:3] == ["3", "Email: enter a valid email address. Got 'not-an-email'.", "Bob"]
    assert len(rows) == 6


def test_company_column_finds_or_creates_the_company_once(rq_worker_burst):
    owner = factories.signup()
    _run(owner, BAD_FILE, "skip", rq_worker_burst, encoding="utf-8")
    from sqlmodel import select

    from crmapp.models.crm import Company

    with factories.scoped(owner) as session:
        companies = session.exec(select(Company.name)).all()
    assert companies == ["Analytical Engines"]  # "analytical engines" matched case-insensitively


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("skip", (0, 0, 1, ["Old"])),
        ("update", (0, 1, 0, ["Renamed"])),
        ("create", (1, 0, 0, ["Old", "Renamed"])),
    ],
)
def test_dedupe_policy_on_email(policy, expected, rq_worker_burst):
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Old", email="Same@X.example")
        )
    job = _run(owner, b"Name,Email\nRenamed,same@x.example\n", policy, rq_worker_burst)
    with factories.scoped(owner) as session:
        names = sorted(c.first_name for c in basic_records.list_contacts(session, owner.actor)[0])
    assert (job.created_count, job.updated_count, job.skipped_count, names) == expected


def test_rerunning_the_same_file_does_not_duplicate(rq_worker_burst):
    owner = factories.signup()
    content = b"First name,Email\nNia,\nOla,ola@x.example\n"
    first = _run(owner, content, "create", rq_worker_burst)
    second = _run(owner, content, "create", rq_worker_burst)
    assert (first.created_count, second.created_count, second.skipped_count) == (2, 0, 2)
    with factories.scoped(owner) as session:
        assert basic_records.list_contacts(session, owner.actor)[1] == 2


def test_a_crash_mid_import_resumes_without_duplicates(monkeypatch):
    owner = factories.signup()
    content = ("First name\n" + "".join(f"P{i}\n" for i in range(25))).encode()
    preview = upload(owner, content)
    with factories.scoped(owner) as session:
        job = imports.start_import(
            session,
            owner.actor,
            filename="big.csv",
            file_id=preview.file_id,
            mapping=["first_name"],
            policy="create",
        )
    monkeypatch.setattr(imports, "BATCH_SIZE", 10)
    real_batch, calls = imports.import_batch, []

    def crash_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(imports, "import_batch", crash_on_third)
    args = (str(job.id), str(owner.actor.org_id), str(owner.actor.user_id))
    with pytest.raises(RuntimeError):
        import_jobs.run_import(*args)
    with factories.scoped(owner) as session:
        crashed = imports.get_import(session, owner.actor, job.id)
        assert (crashed.status, crashed.processed_rows) == ("failed", 20)
        assert (
            basic_records.list_contacts(session, owner.actor)[1] == 20
        )  # two whole batches, no partial
    monkeypatch.setattr(imports, "import_batch", real_batch)
    assert import_jobs.run_import(*args)["created"] == 25
    with factories.scoped(owner) as session:
        assert basic_records.list_contacts(session, owner.actor)[1] == 25


def test_mapping_and_roles_are_checked():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    emails = upload(owner, b"Email\na@b.co\n")
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match="First name"):
        imports.start_import(
            session,
            owner.actor,
            filename="x.csv",
            file_id=emails.file_id,
            mapping=["email"],
            policy="skip",
        )
    with pytest.raises(PermissionDenied):
        upload(viewer, b"Name\nA\n")
    names = upload(owner, b"Name\nA\n")
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        imports.start_import(
            session,
            viewer.actor,
            filename="x.csv",
            file_id=names.file_id,
            mapping=["full_name"],
            policy="skip",
        )


def test_preview_guesses_the_mapping_and_counts_rows():
    owner = factories.signup()
    preview = upload(owner, "\ufeffE-mail,Given name,Surname,Notes\na@b.co,A,B,x\n".encode())
    assert preview.headers == ["E-mail", "Given name", "Surname", "Notes"]
    assert preview.mapping == ["email", "first_name", "last_name", ""]
    assert preview.total_rows == 1
    assert preview.encoding == "utf-8" and preview.note == ""
    with pytest.raises(ValidationError):
        upload(owner, b"   ")


def test_contacts_export_follows_the_search_and_reimports_cleanly(rq_worker_burst):
    from crmapp.services.crm import list_views, records

    owner = factories.signup()
    with factories.scoped(owner) as session:
        acme = records.save_record(session, owner.actor, "company", None, {"name": "Acme"})
        records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "Keep",
                "email": "keep@x.example",
                "company_id": str(acme.id),
                "tags": "vip, q4",
            },
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Other", email="o@x.example")
        )
    with factories.scoped(owner) as session:
        text = list_views.export_csv(session, owner.actor, "contact", list_views.ListSpec("keep"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["First name"], r["Email"], r["Company"], r["Tags"]) for r in rows] == [
        ("Keep", "keep@x.example", "Acme", "vip, q4")
    ]
    # The exported file imports back: its headers are guessed, and the email matches.
    job = _run(owner, text.encode(), "skip", rq_worker_burst)
    assert (job.skipped_count, job.rejected_count) == (1, 0)


COMPANIES = (
    b"Company,Website,Industry,Employees\n"
    b"Acme,acme.example,Rockets,11-50\n"
    b"Bolt,https://www.BOLT.example/,Energy,\n"
    b"Cask,not a domain,Drinks,\n"
    b"Dune,dune.example,Sand,huge\n"
    b",nameless.example,,\n"
)


@pytest.mark.parametrize(
    ("policy", "name", "industry", "counts"),
    [("skip", "Bolt Ltd", "Old", (1, 0, 1)), ("update", "Bolt", "Energy", (1, 1, 0))],
)
def test_companies_import_matches_on_domain(policy, name, industry, counts, rq_worker_burst):
    from crmapp.services.crm import records

    owner = factories.signup()
    with factories.scoped(owner) as session:
        records.save_record(
            session,
            owner.actor,
            "company",
            None,
            {"name": "Bolt Ltd", "domain": "bolt.example", "industry": "Old"},
        )
    job = _run(owner, COMPANIES, policy, rq_worker_burst, entity="company")
    assert job.status == "done", job.error
    assert (job.created_count, job.updated_count, job.skipped_count) == counts
    with factories.scoped(owner) as session:
        reasons = [r.reason for r in imports.rejections(session, owner.actor, job.id)]
        from crmapp.services.crm import list_views

        rows = list_views.list_page(
            session, owner.actor, "company", list_views.ListSpec(sort="name", desc=False)
        ).rows
    assert [r["name"] for r in rows] == ["Acme", name]  # "BOLT.example" matched bolt.example
    assert rows[1]["industry"] == industry
    assert reasons == [
        "Domain: enter a domain such as example.com. Got 'not a domain'.",
        "Size must be one of: 1-10, 11-50, 51-200, 201-1000, 1001-5000, 5000+. Got 'huge'.",
        "Name is empty.",
    ]


def test_deals_import_rejects_unknown_stages_and_bad_numbers_and_links_records(rq_worker_burst):
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Hana", email="hana@x.example")
        )
    content = (
        b"Deal,Amount,Stage,Close date,Company,Contact email\n"
        b'Refit,"12,500",Proposal,2027-01-31,Harbour Lights,HANA@x.example\n'
        b"Mystery,100,Dreaming,,,\n"
        b"Pricey,lots,Lead,,,\n"
        b"Late,5,Lead,31/01/2027,,\n"
        b"Plain,,,,,\n"
    )
    job = _run(owner, content, "create", rq_worker_burst, entity="deal")
    again = _run(owner, content, "create", rq_worker_burst, entity="deal")
    assert (job.created_count, job.rejected_count) == (2, 3)
    assert (again.created_count, again.skipped_count) == (0, 2)  # a rerun never duplicates
    with factories.scoped(owner) as session:
        reasons = [r.reason for r in imports.rejections(session, owner.actor, job.id)]
        deals = {d.title: (d, s.name) for d, s in basic_records.list_deals(session, owner.actor)}
    assert reasons[0].startswith("Unknown stage 'Dreaming'; the stages are: Lead, Qualified")
    assert reasons[1].startswith("Value must be a positive number")
    assert reasons[2] == "Expected close must be a date as YYYY-MM-DD. Got '31/01/2027'."
    refit, stage = deals["Refit"]
    assert (stage, str(refit.value), str(refit.expected_close_date)) == (
        "Proposal",
        "12500.00",
        "2027-01-31",
    )
    assert refit.contact_id is not None and refit.company_id is not None
    assert deals["Plain"][1] == "Lead"  # no stage: the pipeline's first stage
