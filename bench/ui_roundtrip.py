"""UI event round trip: click → server event → DOM update, Tandem beside a bare Reflex app.

Both apps are started the same way (`reflex run --env prod --single-port`, via the launcher's
start_web) and measured the same way: inside the page, a click and a MutationObserver time each
round trip with performance.now(), after a warm-up. Tandem is measured on a hidden round-trip
probe in its app shell (`#bench-ping`, never shown to users), as the demo Owner on the dashboard.
Prints medians, p95s and the ratio.

Set TANDEM_BENCH_URL to measure an already running Tandem instead of starting one.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import p95  # noqa: E402
from crmapp.launcher.processes import child_env, start_web, stop_process_group  # noqa: E402
from crmapp.launcher.stack import start_services  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

CLICKS = int(os.environ.get("BENCH_CLICKS", "100"))
WARMUP = 10
MEASURE_JS = """
async ([buttonId, outputId, n]) => {
  const button = document.getElementById(buttonId);
  const output = document.getElementById(outputId);
  const times = [];
  for (let i = 0; i < n; i++) {
    const before = output.textContent;
    const t0 = performance.now();
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no update within 5 s")), 5000);
      const observer = new MutationObserver(() => {
        if (output.textContent !== before) {
          observer.disconnect(); clearTimeout(timer); resolve();
        }
      });
      observer.observe(output, {childList: true, subtree: true, characterData: true});
      button.click();
    });
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def measure(page: Page, button: str, output: str) -> list[float]:
    """Round trips in ms (after a warm-up)."""
    page.wait_for_selector(f"#{button}", state="attached")
    page.evaluate(MEASURE_JS, [button, output, WARMUP])
    return page.evaluate(MEASURE_JS, [button, output, CLICKS])


def bare_counter(browser) -> list[float]:
    """Start the bare counter app and measure it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-counter-") as tmp:
        web = start_web(
            port, child_env(), Path(tmp) / "web.log", app_dir=ROOT / "bench" / "counter_app"
        )
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            return measure(page, "increment", "count")
        finally:
            stop_process_group(web)


def tandem(browser, base_url: str) -> list[float]:
    """Log in as the demo Owner and measure the shell's round-trip probe."""
    page = browser.new_page()
    page.goto(f"{base_url}/login")
    page.fill("#email", "owner@demo.tandem.test")
    page.fill("#password", "demo-password-1")
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title", timeout=30_000)
    return measure(page, "bench-ping", "bench-ping-count")


def main() -> None:
    """Measure both and print the figures."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        base = os.environ.get("TANDEM_BENCH_URL")
        if base:
            ours = tandem(browser, base)
        else:
            with tempfile.TemporaryDirectory(prefix="bench-tandem-") as tmp:
                services = start_services(Path(tmp), persist=False)
                web = None
                try:
                    port = free_port()
                    env = child_env(
                        {**services.env, "TANDEM_PUBLIC_URL": f"http://127.0.0.1:{port}"}
                    )
                    subprocess.run(
                        [sys.executable, "-m", "crmapp.seed"],
                        env=env,
                        check=True,
                        cwd=ROOT,
                        stdout=subprocess.DEVNULL,
                    )
                    web = start_web(port, env, Path(tmp) / "web.log")
                    ours = tandem(browser, f"http://127.0.0.1:{port}")
                finally:
                    stop_process_group(web)
                    services.stop()
        bare = bare_counter(browser)
        browser.close()
    t_med, b_med = statistics.median(ours), statistics.median(bare)
    print(f"UI event round trip over {CLICKS} clicks (click -> DOM update, in-page timing)")
    print(f"  Tandem (shell round trip): median {t_med:.1f} ms, p95 {p95(ours):.1f} ms")
    print(f"  bare Reflex counter app:   median {b_med:.1f} ms, p95 {p95(bare):.1f} ms")
    print(f"  ratio Tandem / bare (median): {t_med / b_med:.2f}")


if __name__ == "__main__":
    main()
