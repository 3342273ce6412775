"""CRM figures over 100,000 contacts: list-page and search latency through the services the UI
calls (p50/p95) beside the same queries as raw SQL (ratio), the typo-tolerant global search, and
CSV import throughput (rows/s).

Runs on its own embedded PostgreSQL and Redis in a temporary directory. BENCH_CONTACTS and
BENCH_IMPORT_ROWS shrink it for a quick look.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "100000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
RUNS = 40
FIRST = ("Ada", "Alan", "Grace", "Linus", "Barbara", "Edsger", "Donald", "Frances", "Ken", "Radia")
LAST = ("Smith", "Lovelace", "Hopper", "Knuth", "Liskov", "Ritchie", "Allen", "Perlman", "Turing")


def timed(fn, runs: int = RUNS) -> list[float]:
    """Milliseconds per call over `runs` calls (after one warm-up)."""
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    """95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    """Seed, measure, print."""
    import psycopg
    from sqlalchemy import text

    from crmapp.launcher.stack import start_services
    from crmapp.services import imports, listviews, search
    from crmapp.services.db import reset_engine, tenant_session
    from crmapp.services.db_setup import libpq_url
    from crmapp.settings import get_settings
    from jobs import imports as import_jobs

    with tempfile.TemporaryDirectory(prefix="tandem-crm-bench-") as tmp:
        environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        services = start_services(Path(tmp), environ, persist=False)
        try:
            os.environ.update(services.env)
            get_settings.cache_clear()
            reset_engine()
            from tests import factories

            owner = factories.signup("Bench Org")
            org = owner.actor.org_id
            started = time.perf_counter()
            # COPY is refused under row-level security: seed as the owner (the app role reads).
            with psycopg.connect(libpq_url(services.env["DATABASE_ADMIN_URL"])) as conn:
                with conn.cursor().copy(
                    "COPY contact (id, org_id, first_name, last_name, email, phone, title, "
                    "created_at) FROM STDIN"
                ) as copy:
                    for i in range(CONTACTS):
                        first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
                        copy.write_row((
                            uuid.uuid4(), org, first, f"{last}{i}",
                            f"{first.lower()}.{last.lower()}{i}@example.test", "+1 555 0100",
                            "Engineer", "2026-01-01T00:00:00Z",
                        ))  # fmt: skip
                conn.execute("ANALYZE contact")
            print(f"seeded {CONTACTS:,} contacts in {time.perf_counter() - started:.1f} s")

            def service_page(search: str = "", page: int = 1):
                def run():
                    with tenant_session(org, owner.actor.user_id) as session:
                        listviews.list_page(
                            session, owner.actor, "contact", listviews.ListSpec(search), page
                        )

                return run

            def raw_page(search: str = "", page: int = 1):
                where = "org_id = :org AND deleted_at IS NULL"
                if search:
                    where += (" AND (first_name ILIKE :q OR last_name ILIKE :q"
                              " OR email ILIKE :q)")  # fmt: skip
                if len(search) >= 3:
                    where += " AND search_trigrams @> tandem_trigrams(:term)"
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
                        session.exec(text(
                            f"SELECT * FROM contact WHERE {where} "
                            "ORDER BY created_at DESC, id LIMIT 25 OFFSET :off"
                        ), params=params).all()  # fmt: skip

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

            typo = "grace hoper"
            grams = sorted({typo[i : i + 3] for i in range(len(typo) - 2)})

            def service_typo():
                with tenant_session(org, owner.actor.user_id) as session:
                    search.search(session, owner.actor, typo)

            def raw_typo():
                shared = " + ".join(
                    f"(search_trigrams @> ARRAY['{g}'])::int" for g in grams
                )  # the grams are letters and spaces of a constant term
                words = [w for w in typo.split() if len(w) >= 5] or [typo]
                overlaps = " AND ".join(
                    f"search_trigrams && CAST(:w{i} AS text[])" for i in range(len(words))
                )
                sql = (
                    f"SELECT * FROM contact WHERE org_id = :org AND deleted_at IS NULL "
                    f"AND {overlaps} AND ({shared}) >= :need "
                    f"ORDER BY ({shared}) DESC, created_at DESC LIMIT 5"
                )
                params: dict = {"org": str(org), "need": (len(grams) + 1) // 2}
                for i, word in enumerate(words):
                    params[f"w{i}"] = sorted({word[j : j + 3] for j in range(len(word) - 2)})
                with tenant_session(org) as session:
                    session.exec(text(sql), params=params).all()

            ours, raw = timed(service_typo, 10), timed(raw_typo, 10)
            print(
                f"{'global search ' + repr(typo):<28}{statistics.median(ours):>12.1f}"
                f"{p95(ours):>8.1f}{statistics.median(raw):>10.1f}{p95(raw):>8.1f}"
                f"{statistics.median(ours) / statistics.median(raw):>8.2f}"
                "  (service: exact + fuzzy contacts, companies, deals; raw: fuzzy contacts)"
            )

            lines = ["First name,Last name,Email,Phone,Company"]
            for i in range(IMPORT_ROWS):
                email = f"imported{i}@example.test" if i % 50 else "broken-email"
                lines.append(f"Imp{i},Row,{email},+1 555 0199,Company {i % 200}")
            content = ("\n".join(lines) + "\n").encode()
            with tenant_session(org, owner.actor.user_id) as session:
                job = imports.start_import(
                    session, owner.actor, filename="bench.csv", content=content,
                    mapping=imports.preview(content).mapping, policy="skip",
                )  # fmt: skip
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
