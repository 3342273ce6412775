"""Global search across contacts, companies and deals: exact, then typo-tolerant, per tenant."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import replace

from sqlalchemy import create_engine, text

from crmapp.models.crm import Company, Contact, Deal
from crmapp.services.crm import basic_records, records, search, trash
from crmapp.services.platform.db import tenant_session
from tests import factories

KINDS = ("contact", "company", "deal")
LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _titles(hits: list[search.Hit], kind: str | None = None) -> list[str]:
    return [h.title for h in hits if kind is None or h.kind == kind]


def test_search_finds_each_kind_by_its_fields_and_stays_in_the_tenant():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    with factories.scoped(owner) as session:
        basic_records.create_company(
            session, owner.actor, name="Harbour Lights", domain="harbour.example"
        )
        hana = basic_records.ContactInput("Hana", "Harbour", "hana@x.example", "+44 20 7946 0958")
        basic_records.create_contact(session, owner.actor, hana)
        basic_records.create_deal(session, owner.actor, title="Harbour refit", value="9,000")
    with factories.scoped(stranger) as session:
        basic_records.create_contact(
            session, stranger.actor, basic_records.ContactInput("Harbour", "Spy")
        )
    with factories.scoped(owner) as session:
        hits = search.search(session, owner.actor, "harbour")
        by_domain = search.search(session, owner.actor, "harbour.exa")
        too_short = search.search(session, owner.actor, "h")
    assert sorted((h.kind, h.title) for h in hits) == [
        ("company", "Harbour Lights"),
        ("contact", "Hana Harbour"),
        ("deal", "Harbour refit"),
    ]
    assert ("company", "Harbour Lights") in [(h.kind, h.title) for h in by_domain]
    assert too_short == []
    by_kind = {h.kind: h.href for h in hits}
    assert by_kind["company"].startswith("/crm/companies/")
    assert by_kind["deal"].startswith("/crm/deals/")
    assert by_kind["contact"].startswith("/crm/contacts/")


def test_typos_in_names_emails_domains_and_titles_still_find_the_record():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        for first, last, email in (
            ("Grace", "Hopper", "g@navy.example"),
            ("John", "Smith", "john.smith@acme.example"),
            ("Hope", "Rivers", ""),
            ("Linus", "Torvalds", ""),
        ):
            basic_records.create_contact(
                session, owner.actor, basic_records.ContactInput(first, last, email)
            )
        basic_records.create_company(
            session, owner.actor, name="Northwind Traders", domain="nw.example"
        )
        basic_records.create_company(
            session, owner.actor, name="Umbrella", domain="umbrella-corp.example"
        )
        basic_records.create_deal(session, owner.actor, title="Lighthouse restoration")
    with factories.scoped(owner) as session:
        found = {
            term: search.search(session, owner.actor, term)
            for term in (
                "jonh smtih",  # two swapped letters, one in each word
                "hoper",  # a letter left out
                "grace hoper",
                "linsu torvlads",
                "jon smith",  # a three-letter word one letter short
                "jonh.smith@acme.exmaple",  # an email with typos
                "northwnd",
                "nortwind tradres",
                "umbrela-corp",  # a domain
                "lighthose restoraton",
                "zzzzqqq",
            )
        }
    assert _titles(found["jonh smtih"]) == ["John Smith"]
    assert sorted(_titles(found["hoper"])) == ["Grace Hopper", "Hope Rivers"]
    assert _titles(found["grace hoper"]) == ["Grace Hopper"]
    assert _titles(found["linsu torvlads"]) == ["Linus Torvalds"]
    assert _titles(found["jon smith"]) == ["John Smith"]
    assert _titles(found["jonh.smith@acme.exmaple"]) == ["John Smith"]
    assert [(h.kind, h.title) for h in found["northwnd"]] == [("company", "Northwind Traders")]
    assert _titles(found["nortwind tradres"]) == ["Northwind Traders"]
    assert _titles(found["umbrela-corp"]) == ["Umbrella"]
    assert [(h.kind, h.title) for h in found["lighthose restoraton"]] == [
        ("deal", "Lighthouse restoration")
    ]
    assert found["zzzzqqq"] == []


def test_exact_then_word_prefix_then_substring_then_typos_each_in_turn():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        # Created worst first, so newest-first alone would give the opposite order.
        for first, last in (
            ("Rosza", "Nagy"),  # one letter more: typo tier
            ("Primrosa", "Hill"),  # inside a word
            ("Rosalind", "Franklin"),  # a word starts with it
            ("Rosa", ""),  # the whole name
        ):
            basic_records.create_contact(
                session, owner.actor, basic_records.ContactInput(first, last)
            )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Joan", "Smith")
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("John", "Smith")
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Hope", "Rivers")
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Hopper")
        )
    with factories.scoped(owner) as session:
        rosa = search.search(session, owner.actor, "rosa")
        jonh = search.search(session, owner.actor, "jonh smith")
        hope = search.search(session, owner.actor, "hope")
    assert _titles(rosa) == ["Rosa", "Rosalind Franklin", "Primrosa Hill", "Rosza Nagy"]
    # A swap ("jonh" / "john") is closer than a substitution ("jonh" / "joan").
    assert _titles(jonh) == ["John Smith", "Joan Smith"]
    assert _titles(hope)[0] == "Hope Rivers"


def test_the_last_word_may_be_a_fragment_still_being_typed():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Hopper")
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("John", "Smith")
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Kelly")
        )
    with factories.scoped(owner) as session:
        assert _titles(search.search(session, owner.actor, "grace hopp")) == ["Grace Hopper"]
        assert _titles(search.search(session, owner.actor, "grcae hopp")) == ["Grace Hopper"]
        assert _titles(search.search(session, owner.actor, "jonh sm")) == ["John Smith"]
        assert _titles(search.search(session, owner.actor, "jo sm")) == []  # nothing to index


def test_no_hits_from_another_tenant_even_with_a_forged_actor():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    with factories.scoped(stranger) as session:
        basic_records.create_contact(
            session, stranger.actor, basic_records.ContactInput("Grace", "Hopper", "gh@x.ex")
        )
        basic_records.create_company(
            session, stranger.actor, name="Hopper Labs", domain="hopper.example"
        )
        basic_records.create_deal(session, stranger.actor, title="Hopper renewal")
    with factories.scoped(owner) as session:
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Ada", "Lovelace")
        )
        exact = search.search(session, owner.actor, "hopper")
        fuzzy = search.search(session, owner.actor, "hoper")
        # Row-level security is the second wall: the session is the owner's tenant, so even an
        # actor claiming the stranger's organisation finds nothing of it.
        forged = replace(owner.actor, org_id=stranger.actor.org_id)
        forged_hits = search.search(session, forged, "hoper")
    with factories.scoped(stranger) as session:
        theirs = search.search(session, stranger.actor, "hoper")
    assert exact == [] and fuzzy == [] and forged_hits == []
    assert sorted((h.kind, h.title) for h in theirs) == [
        ("company", "Hopper Labs"),
        ("contact", "Grace Hopper"),
        ("deal", "Hopper renewal"),
    ]


def test_phone_numbers_match_by_their_digits_and_deleted_records_never_show():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        hana = basic_records.create_contact(
            session,
            owner.actor,
            basic_records.ContactInput("Hana", "Harbour", phone="+44 20 7946 0958"),
        )
        basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Other", "Person", phone="555")
        )
        dock = basic_records.create_company(session, owner.actor, name="Dockside")
        records.update_cell(session, owner.actor, "company", dock.id, "phone", "(020) 7946-1111")
        basic_records.create_deal(session, owner.actor, title="2024 renewal")
        gone = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Hopper")
        )
    with factories.scoped(owner) as session:
        trash.delete_record(session, owner.actor, "contact", gone.id)
    with factories.scoped(owner) as session:
        by_digits = search.search(session, owner.actor, "7946 0958")
        with_prefix = search.search(session, owner.actor, "+44 (20) 7946-0958")
        shared = search.search(session, owner.actor, "020 7946")
        year = search.search(session, owner.actor, "2024")
        deleted = search.search(session, owner.actor, "grace hoper")
    assert [(h.kind, h.title) for h in by_digits] == [("contact", "Hana Harbour")]
    assert by_digits[0].href == f"/crm/contacts/{hana.id}"
    assert _titles(with_prefix) == ["Hana Harbour"]
    assert [(h.kind, h.title) for h in shared] == [("company", "Dockside")]
    assert [(h.kind, h.title) for h in year] == [("deal", "2024 renewal")]
    assert deleted == []


def test_the_python_keys_are_the_database_keys():
    owner = factories.signup()
    samples = [
        "John Smith john.smith@acme.example",
        "Grace Hopper123 grace.hopper123@example.test",
        "José O'Brien-Müller",
        "Lighthouse restoration 2024 (phase 2)",
        "x_y snake_case ÉCOLE",
        "Supercalifragilisticexpialidocious",
    ]
    with factories.scoped(owner) as session:
        for sample in samples:
            in_sql = session.exec(text("SELECT tandem_typo_keys(:t)"), params={"t": sample}).one()
            in_python = sorted({k for w in search.words(sample) for k in search.typo_keys(w)})
            assert sorted(in_sql[0]) == in_python, sample
            grams = session.exec(text("SELECT tandem_trigrams(:t)"), params={"t": sample}).one()
            assert sorted(grams[0]) == search.trigrams(sample), sample


def test_the_index_probe_returns_only_the_scoped_tenants_live_ids():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    with factories.scoped(owner) as session:
        mine = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Hopper")
        )
        gone = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Grace", "Hopper")
        )
        trash.delete_record(session, owner.actor, "contact", gone.id)
    with factories.scoped(stranger) as session:
        basic_records.create_contact(
            session, stranger.actor, basic_records.ContactInput("Grace", "Hopper")
        )

    def probe(session, kind: str = "contact") -> list[uuid.UUID]:
        sql = "SELECT tandem_search_ids(:kind, CAST(:words AS text[]), NULL, 'hopper')"
        rows = session.exec(text(sql), params={"kind": kind, "words": ["hoper"]}).all()
        return [r[0] for r in rows]

    with factories.scoped(owner) as session:
        assert probe(session) == [mine.id]
        assert probe(session, "organization") == []  # only the three searchable tables
    with tenant_session(None) as session:
        assert probe(session) == []  # no tenant, nothing


def test_the_indexes_answer_the_searches(services):
    """Over a few thousand analysed rows of one tenant, the service's searches find their
    candidates with the GIN indexes (through `tandem_search_ids`)."""
    owner = factories.signup()
    with factories.scoped(owner) as session:
        company = basic_records.create_company(session, owner.actor, name="Seed")
        deal = basic_records.create_deal(session, owner.actor, title="Seed", company_id=company.id)
    org = owner.actor.org_id
    # Varied words, as real names are: the planner weighs how many rows each key points at.
    word = [hashlib.md5(str(i).encode()).hexdigest()[:8].translate(LETTERS) for i in range(8000)]
    with factories.scoped(owner) as session:  # in bulk, like an import
        session.add_all(
            Contact(org_id=org, first_name=word[i - 1], last_name=word[i], email=f"{word[i]}@x.ex")
            for i in range(4000)
        )
        session.add_all(
            Company(org_id=org, name=f"{word[i]} {word[i + 1]}", domain=f"{word[i]}.ex")
            for i in range(4000)
        )
        session.add_all(
            Deal(
                org_id=org,
                title=f"{word[i]} {word[i + 1]}",
                pipeline_id=deal.pipeline_id,
                stage_id=deal.stage_id,
            )
            for i in range(4000, 7999)
        )
    # As autovacuum would (it flushes the GIN indexes' pending lists); VACUUM needs the owner.
    admin = create_engine(services.env["DATABASE_ADMIN_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE contact, company, deal")

    def index_scans() -> dict[str, int]:
        with admin.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes "
                "WHERE indexrelname ~ '^ix_.*_search'"
            )
            return {name: count for name, count in rows}

    def scanned_since(before: dict[str, int], index: str) -> bool:
        # A backend publishes its counters when idle, shortly after the commit.
        deadline = time.monotonic() + 5
        while index_scans()[index] == before[index] and time.monotonic() < deadline:
            time.sleep(0.1)
        return index_scans()[index] > before[index]

    def plan(conn, query) -> str:
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
        return "\n".join(r[0] for r in rows)

    def swap(w: str) -> str:  # two letters swapped
        return w[:3] + w[4] + w[3] + w[5:]

    cases = (  # two words, as a name is typed: one alone is too common to index in a small table
        ("contact", f"{word[9]} {swap(word[10])}", "ix_contact_search_keys"),
        ("contact", f"{word[9]} {word[10][:4]}", "ix_contact_search_keys"),  # still typing
        ("company", f"{swap(word[30])} {word[31]}", "ix_company_search_keys"),
        ("deal", f"{word[5000][:-1]} {word[5001]}", "ix_deal_search_keys"),
    )
    for kind, term, index in cases:
        before = index_scans()
        with factories.scoped(owner) as session:
            session.connection().exec_driver_sql("SELECT pg_stat_force_next_flush()")
            query = search.fuzzy_query(owner.actor, kind, term, {uuid.uuid4()})
            assert session.exec(query).all(), term
            # The rows are then read by primary key (on small tables a scan may cost less).
            session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
            shown = plan(session.connection(), query)
            assert "Seq Scan" not in shown and f"{kind}_pkey" in shown, shown
        assert scanned_since(before, index), (kind, term)
    before = index_scans()
    with factories.scoped(owner) as session:
        session.connection().exec_driver_sql("SELECT pg_stat_force_next_flush()")
        hits = search.search(session, owner.actor, word[20][1:7])
    assert all(word[20][1:7] in h.title for h in hits) and len(hits) >= 3
    # Which of a table's two GIN indexes the planner picks depends on fresh statistics: either
    # proves the candidates came from an index, not a scan.
    for kind in KINDS:
        assert scanned_since(before, f"ix_{kind}_search") or scanned_since(
            before, f"ix_{kind}_search_keys"
        ), kind
    admin.dispose()
    assert search.fuzzy_query(owner.actor, "contact", "jo sm") is None
