"""CRM figures over 100,000 contacts: list-page and search latency through the services the UI
calls (p50/p95) beside the same queries as raw SQL (ratio), the typo-tolerant global search (with
the number of candidates and of GIN index scans, and the probe's plan), and CSV import
throughput (rows/s).

Runs on its own embedded PostgreSQL and Redis in a temporary directory. BENCH_CONTACTS and
BENCH_IMPORT_ROWS shrink it for a quick look.
"""

from __future__ import annotations

import io
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import p95  # noqa: E402
from bench.timing import timed as _timed  # noqa: E402

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "100000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
RUNS = 40
FIRST = ("Ada", "Alan", "Grace", "Linus", "Barbara", "Edsger", "Donald", "Frances", "Ken", "Radia")
LAST = ("Smith", "Lovelace", "Hopper", "Knuth", "Liskov", "Ritchie", "Allen", "Perlman", "Turing")


def timed(fn, runs: int = RUNS) -> list[float]:
    """Milliseconds per call (after one warm-up)."""
    return _timed(fn, runs)


def main() -> None:
    """Seed, measure, print."""
    import psycopg
    from sqlalchemy import text

    from crmapp.launcher.stack import start_services
    from crmapp.services.crm import imports, list_views, search
    from crmapp.services.platform.db import reset_engine, tenant_session
    from crmapp.services.platform.db_setup import libpq_url
    from crmapp.settings import get_settings
    from jobs import imports as import_jobs

    with tempfile.TemporaryDirectory(prefix="tandem-crm-bench-") as tmp:
        services = start_services(Path(tmp), persist=False)
        try:
            os.environ.update(services.env)
            get_settings.cache_clear()
            reset_engine()
            from tests import factories

            admin = libpq_url(services.env["DATABASE_ADMIN_URL"])

            owner = factories.signup("Bench Org")
            org = owner.actor.org_id
            started = time.perf_counter()
            # COPY is refused under row-level security: seed as the owner (the app role reads).
            with psycopg.connect(admin) as conn:
                with conn.cursor().copy(
                    "COPY contact (id, org_id, first_name, last_name, email, phone, title, "
                    "created_at) FROM STDIN"
                ) as copy:
                    for i in range(CONTACTS):
                        first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
                        copy.write_row(
                            (
                                uuid.uuid4(),
                                org,
                                first,
                                f"{last}{i}",
                                f"{first.lower()}.{last.lower()}{i}@example.test",
                                "+1 555 0100",
                                "Engineer",
                                "2026-01-01T00:00:00Z",
                            )
                        )
                conn.commit()
                conn.autocommit = True
                conn.execute("VACUUM ANALYZE contact")  # as autovacuum soon would
            print(f"seeded {CONTACTS:,} contacts in {time.perf_counter() - started:.1f} s")

            def service_page(search: str = "", page: int = 1):
                def run():
                    with tenant_session(org, owner.actor.user_id) as session:
                        list_views.list_page(
                            session, owner.actor, "contact", list_views.ListSpec(search), page
                        )

                return run

            def raw_page(search: str = "", page: int = 1):
                where = "org_id = :org AND deleted_at IS NULL"
                if search:
                    where += " AND (first_name ILIKE :q OR last_name ILIKE :q OR email ILIKE :q)"
                if len(search) >= 3:  # the trigram index, through the probe (migration 0011)
                    where += " AND id IN (SELECT tandem_search_ids('contact', '{}', NULL, :term))"
                params = {
                    "org": str(org),
                    "q": f"%{search}%",
                    "term": search,
                    "off": (page - 1) * 25,
                }

                def run():
                    with tenant_session(org) as session:
                        session.exec(
                            text(f"SELECT count(*) FROM contact WHERE {where}"), params=params
                        ).one()
                        session.exec(
                            text(
                                f"SELECT * FROM contact WHERE {where} "
                                "ORDER BY created_at DESC, id LIMIT 25 OFFSET :off"
                            ),
                            params=params,
                        ).all()

                return run

            print(f"\nlatency over {CONTACTS:,} contacts, {RUNS} runs each (ms)")
            print(
                f"{'query':<28}{'service p50':>12}{'p95':>8}{'raw p50':>10}{'p95':>8}{'ratio':>8}"
            )
            for label, args in (
                ("list page 1", ("", 1)),
                ("list page 200", ("", 200)),
                ("search 'knuth'", ("knuth", 1)),
                ("search 'grace.hopper1'", ("grace.hopper1", 1)),
            ):
                ours, raw = timed(service_page(*args)), timed(raw_page(*args))
                print(
                    f"{label:<28}{statistics.median(ours):>12.1f}{p95(ours):>8.1f}"
                    f"{statistics.median(raw):>10.1f}{p95(raw):>8.1f}"
                    f"{statistics.median(ours) / statistics.median(raw):>8.2f}"
                )

            def index_scans(index: str) -> int:
                with psycopg.connect(admin) as conn:
                    row = conn.execute(
                        "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = %s",
                        (index,),
                    ).fetchone()
                    return int(row[0]) if row else 0

            def service_search(term: str):
                def run():
                    with tenant_session(org, owner.actor.user_id) as session:
                        search.search(session, owner.actor, term)

                return run

            text_sql = "(first_name || ' ' || last_name || ' ' || email)"

            def raw_search(term: str):
                """The service's contact queries (exact, then typo-tolerant if room) as SQL."""
                found = search.words(term)
                typing = found[-1] if len(found) > 1 else None
                typo_words = [w for w in found if w != typing]

                def share(column: str, keys: list[str]) -> str:
                    hits = " + ".join(f"({column} @> ARRAY['{k}'])::int" for k in keys)
                    return f"({hits})::float"  # the keys are letters of a constant term

                score = " + ".join(
                    f"{share('search_keys', search.typo_keys(w))} / {len(search.typo_keys(w))}"
                    for w in typo_words
                )
                if typing:
                    score += (
                        f" + CASE WHEN {text_sql} ILIKE :typing THEN 1 ELSE "
                        f"{share('search_keys', search.typo_keys(typing))} / "
                        f"{len(search.typo_keys(typing))} END"
                    )
                grams = search.trigrams(term)
                similarity = (
                    f"{share('search_trigrams', grams)} / (cardinality(search_trigrams) + "
                    f"{len(grams) + 1})"
                )

                def pooled(conditions: str) -> str:  # at most POOL matches are ranked
                    return (
                        "SELECT * FROM contact WHERE org_id = :org AND deleted_at IS NULL AND id "
                        "IN (SELECT id FROM contact WHERE org_id = :org AND deleted_at IS NULL "
                        f"AND {conditions} LIMIT {search.POOL})"
                    )

                exact = pooled(
                    "(trim(first_name || ' ' || last_name) ILIKE :like OR email ILIKE :like) "
                    "AND id IN (SELECT tandem_search_ids('contact', '{}', NULL, :term))"
                ) + (
                    " ORDER BY CASE WHEN lower(trim(first_name || ' ' || last_name)) = "
                    "lower(:term) OR lower(email) = lower(:term) THEN 0 WHEN trim(first_name "
                    "|| ' ' || last_name) ~* :word OR email ~* :word THEN 1 ELSE 2 END, "
                    "created_at DESC, id LIMIT 5"
                )
                fuzzy = (
                    pooled(
                        "id IN (SELECT tandem_search_ids('contact', CAST(:words AS text[]), "
                        ":fragment, NULL))"
                        + (
                            f" AND (search_keys && tandem_typo_keys(:fragment) OR {text_sql} "
                            "ILIKE :typing)"
                            if typing
                            else ""
                        )
                        + " AND id <> ALL(CAST(:seen AS uuid[]))"
                    )
                    + f" ORDER BY {score} DESC, {similarity} DESC, created_at DESC LIMIT :room"
                )
                params = {
                    "org": str(org),
                    "term": term,
                    "like": f"%{term}%",
                    "word": rf"\m{re.escape(term)}",
                    "words": typo_words,
                    "fragment": typing,
                    "typing": f"%{typing}%",
                }

                def run():
                    with tenant_session(org) as session:
                        seen = [r.id for r in session.exec(text(exact), params=params).all()]
                        if len(seen) < 5:  # as the service: typos only fill what is left
                            room = {"seen": seen, "room": 5 - len(seen)}
                            session.exec(text(fuzzy), params={**params, **room}).all()

                return run

            print(
                f"\nglobal search over {CONTACTS:,} contacts (service: exact and typo tiers of "
                "contacts, companies and deals; raw: the same contact queries as SQL), 20 runs "
                "each (ms)"
            )
            print(
                f"{'term':<28}{'service p50':>12}{'p95':>8}{'raw p50':>10}{'p95':>8}"
                f"{'ratio':>8}  typo candidates, GIN scans seen (a lower bound)"
            )
            for term, note in (
                ("grace hoper", "two words, 1 in 90 rows near both"),
                ("knuht", "one word, 1 in 9 rows near it"),
                ("grace hopp", "last word half typed: exact tier"),
            ):
                found = search.words(term)
                with tenant_session(org) as session:
                    candidates = session.exec(
                        text(
                            "SELECT count(*) FROM tandem_search_ids('contact', "
                            "CAST(:w AS text[]), :f, NULL)"
                        ),
                        params={
                            "w": found[:-1] or found,
                            "f": found[-1] if len(found) > 1 else None,
                        },
                    ).one()[0]
                before = index_scans("ix_contact_search_keys")
                ours, raw = timed(service_search(term), 20), timed(raw_search(term), 20)
                time.sleep(1.5)  # backends publish their counters when idle
                scans = index_scans("ix_contact_search_keys") - before
                print(
                    f"{term!r:<28}{statistics.median(ours):>12.1f}{p95(ours):>8.1f}"
                    f"{statistics.median(raw):>10.1f}{p95(raw):>8.1f}"
                    f"{statistics.median(ours) / statistics.median(raw):>8.2f}"
                    f"  {candidates:,}, {scans} ({note})"
                )

            # Why the probe: under row-level security the planner may not use a GIN index
            # (its operators are not LEAKPROOF); as the owner, inside the probe, it does.
            probe_sql = (
                "SELECT id FROM contact WHERE org_id = %s AND deleted_at IS NULL "
                "AND search_keys && tandem_typo_keys('grace') "
                "AND search_keys && tandem_typo_keys('hoper')"
            )
            with psycopg.connect(admin) as conn:
                conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(org),))
                inside = [r[0] for r in conn.execute("EXPLAIN " + probe_sql, (org,))]
                conn.execute("SET ROLE tandem_app")
                direct = [r[0] for r in conn.execute("EXPLAIN " + probe_sql, (org,))]
            print("\nplan of the probe's query for 'grace hoper' (as the migration role):")
            print("\n".join("  " + line for line in inside))
            print("the same query straight from the app role (row-level security):")
            print("\n".join("  " + line for line in direct))

            lines = ["First name,Last name,Email,Phone,Company"]
            for i in range(IMPORT_ROWS):
                email = f"imported{i}@example.test" if i % 50 else "broken-email"
                lines.append(f"Imp{i},Row,{email},+1 555 0199,Company {i % 200}")
            content = ("\n".join(lines) + "\n").encode()
            preview = imports.upload(owner.actor, io.BytesIO(content))
            with tenant_session(org, owner.actor.user_id) as session:
                job = imports.start_import(
                    session,
                    owner.actor,
                    filename="bench.csv",
                    file_id=preview.file_id,
                    mapping=preview.mapping,
                    policy="skip",
                )
            started = time.perf_counter()
            result = import_jobs.run_import(str(job.id), str(org), str(owner.actor.user_id))
            elapsed = time.perf_counter() - started
            print(
                f"\nCSV import: {IMPORT_ROWS:,} rows in {elapsed:.1f} s = "
                f"{IMPORT_ROWS / elapsed:,.0f} rows/s ({result['created']:,} created, "
                f"{result['rejected']:,} rejected, 200 companies found or created)"
            )
        finally:
            services.stop()


if __name__ == "__main__":
    main()
