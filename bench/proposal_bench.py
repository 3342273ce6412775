"""Proposal writing: time to the first streamed word after the click, through the whole path.

Starts PostgreSQL, Redis, the workers (one per class of queues, as `make run`) and the web app with
the local OpenAI-compatible fake (tests/fakes/openai_fake.py) as the primary model, logs in as the
demo Owner, opens a proposal for a demo deal and clicks "Write draft" repeatedly. Inside the page,
performance.now() times click → first text in the stream panel (page → Reflex event → RQ job →
LiteLLM → fake → Redis stream → background reader → websocket → DOM), and click → "done". Then
the same with no provider configured (the offline drafter), and the offline drafter alone for a
full proposal.

Retrieval p95 over 100,000 chunks is bench/kb_bench.py.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import p95, timed  # noqa: E402
from crmapp.launcher.processes import (  # noqa: E402
    child_env,
    start_web,
    start_workers,
    stop_process_group,
    stop_workers,
)
from crmapp.launcher.stack import start_services  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from tests.fakes.openai_fake import FakeOpenAI  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SETTLE_MS = 1000
ANSWER = " ".join(
    f"## Section {i}\nWe will deliver part {i} of the work on time and on budget." for i in range(6)
)
CHUNK_DELAY = float(os.environ.get("BENCH_CHUNK_DELAY", "0.02"))  # the fake's pace per word
# The first words show in the stream panel; if a run is so quick that the end arrives in the
# same update, they show first in the section editors instead.
MEASURE_JS = """
async () => {
  const t0 = performance.now();
  let first = null;
  const written = () => Array.from(document.querySelectorAll(".ProseMirror"))
      .some((e) => e.textContent.trim().length > 0);
  document.getElementById("generate").click();
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no text within 20 s")), 20000);
    const check = () => {
      const stream = document.getElementById("stream");
      if (first === null && ((stream && stream.textContent.trim().length > 0) || written())) {
        first = performance.now() - t0;
      }
      // Done: the "Writing…" badge is gone, "Write draft" is back, the sections hold text.
      if (first !== null && !document.getElementById("proposal-writing") && written()
          && document.getElementById("generate")) {
        observer.disconnect(); clearTimeout(timer);
        resolve([first, performance.now() - t0]);
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  });
}
"""


def demo_proposals(env: dict[str, str], count: int) -> list[str]:
    """Empty proposals for the first demo deal, created through the services."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return _create(count)
    finally:  # the next stack must not inherit this one's settings (the fake model's URL)
        os.environ.clear()
        os.environ.update(saved)


def _create(count: int) -> list[str]:
    from sqlmodel import select

    from crmapp.services.platform.db import reset_engine
    from crmapp.services.platform.redis_client import get_redis
    from crmapp.settings import get_settings

    get_settings.cache_clear()  # each run starts its own PostgreSQL and Redis
    reset_engine()
    get_redis.cache_clear()

    from crmapp.models.crm import Deal
    from crmapp.seed import demo_email
    from crmapp.services.platform.db import tenant_session
    from crmapp.services.proposals import documents, templates
    from crmapp.services.tenancy import auth
    from crmapp.services.tenancy.auth import Client

    token = auth.login(
        email=demo_email("owner"), password="demo-password-1", client=Client("bench", "bench")
    )
    view = auth.resolve(token)
    assert view is not None
    actor = view.actor(Client("bench", "bench"))
    assert actor is not None
    with tenant_session(actor.org_id, actor.user_id) as session:
        deal = session.exec(select(Deal).where(Deal.org_id == actor.org_id)).first()
        assert deal is not None
        template = templates.list_templates(session, actor)[0]
        return [
            str(
                documents.create_proposal(
                    session, actor, deal_id=deal.id, template_id=template.id
                ).id
            )
            for _ in range(count)
        ]


def measure(page: Page, base: str, proposal_ids: list[str]) -> list[tuple[float, float]]:
    """(first word, done) in ms per run (one empty proposal each), after a warm-up."""
    page.goto(f"{base}/login")
    page.fill("#email", "owner@demo.tandem.test")
    page.fill("#password", "demo-password-1")
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title", timeout=30_000)
    out = []
    for proposal_id in proposal_ids:
        page.goto(f"{base}/proposals/{proposal_id}")
        page.wait_for_selector("#generate", timeout=30_000)
        page.wait_for_timeout(SETTLE_MS)  # the page's own load events finish first, as for a person
        out.append(tuple(page.evaluate(MEASURE_JS)))
    return out[1:]  # the first run warms the worker up


def run_app(tmp: Path, extra: dict[str, str], browser) -> list[tuple[float, float]]:
    """Start the stack with `extra` settings and measure."""
    services = start_services(tmp, persist=False)
    workers: dict = {}
    web = None
    try:
        port = free_port()
        env = child_env({**services.env, "TANDEM_PUBLIC_URL": f"http://127.0.0.1:{port}", **extra})
        import subprocess

        subprocess.run(
            [sys.executable, "-m", "crmapp.seed"],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        proposal_ids = demo_proposals(env, RUNS + 1)
        workers = start_workers(env, tmp)  # as `make run`: proposals have a worker of their own
        web = start_web(port, env, tmp / "web.log")
        page = browser.new_page()
        return measure(page, f"http://127.0.0.1:{port}", proposal_ids)
    except Exception:
        for log in ("worker-interactive.log", "web.log"):
            lines = (
                (tmp / log).read_text(errors="replace").splitlines() if (tmp / log).exists() else []
            )
            print(f"--- last lines of {log}", *lines[-25:], sep="\n", file=sys.stderr)
        raise
    finally:
        stop_process_group(web)
        stop_workers(workers)
        services.stop()


def report(label: str, runs: list[tuple[float, float]]) -> None:
    """Print medians and p95s."""
    first = [r[0] for r in runs]
    done = [r[1] for r in runs]
    print(
        f"  {label}: first word median {statistics.median(first):.0f} ms, "
        f"p95 {p95(first):.0f} ms; whole draft median {statistics.median(done):.0f} ms"
    )


def offline_drafter() -> list[float]:
    """The offline drafter writing a full statement of work."""
    from crmapp.services.proposals import offline_writer
    from crmapp.services.proposals.templates import BUILTINS

    sections = [offline_writer.Section(t, g) for t, g in BUILTINS[0][3]]
    data = offline_writer.DraftInput(
        sections,
        {
            "client": "Harbour Lights",
            "deal": "Booking site",
            "value": "12,500.00 EUR",
            "products_of_interest": "Web design, Hosting",
        },
        ["Our retainer includes twenty hours of design a month."] * 4,
        "consultative",
    )
    return timed(lambda: offline_writer.draft(data), 1000)


def main() -> None:
    """Measure and print."""
    fake = FakeOpenAI(answer=ANSWER, chunk_delay=CHUNK_DELAY).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            with tempfile.TemporaryDirectory(prefix="bench-ttft-") as tmp:
                model = run_app(
                    Path(tmp),
                    {"TANDEM_AI_PRIMARY_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-bench"},
                    browser,
                )
            with tempfile.TemporaryDirectory(prefix="bench-ttft-offline-") as tmp:
                local = run_app(Path(tmp), {}, browser)
            browser.close()
    finally:
        fake.stop()
    print(f"Proposal writing, click -> DOM, {RUNS} runs each (in-page timing)")
    report(
        f"local OpenAI-compatible fake via LiteLLM ({CHUNK_DELAY * 1000:.0f} ms per word)", model
    )
    report("offline drafter (no provider)      ", local)
    drafts = offline_drafter()
    print(
        f"  offline drafter alone, full 6-section SOW: median {statistics.median(drafts):.3f} ms,"
        f" p95 {p95(drafts):.3f} ms"
    )


if __name__ == "__main__":
    main()
