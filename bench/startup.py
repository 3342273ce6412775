"""Cold and warm start of `python -m crmapp.launcher run` (what `make run` calls), and idle memory.

Cold: a fresh data directory (initdb, migrations, demo seed) and a full production build of the
frontend (npm packages already installed). Warm: the same directory and port again, as a second
`make run` is: the compiled frontend is unchanged, so its build is reused. Idle memory: the unique
set size (USS) of every process of the running stack (launcher, PostgreSQL and its backends, Redis,
the RQ worker(s), the web app and its workers) after 10 s idle. Prints the figures; stops everything
and checks nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crmapp.launcher.processes import child_env  # noqa: E402
from tests.e2e.conftest import free_port  # noqa: E402


def stack_processes(launcher: psutil.Process, data: Path) -> list[psutil.Process]:
    """The launcher's tree plus PostgreSQL's and Redis's (they run in their own sessions)."""
    procs = {launcher.pid: launcher}
    procs.update({c.pid: c for c in launcher.children(recursive=True)})
    for pidfile in (data / "pg" / "postmaster.pid", data / "redis" / "redis.pid"):
        try:
            root = psutil.Process(int(pidfile.read_text().split()[0]))
        except (OSError, ValueError, psutil.Error):
            continue
        procs[root.pid] = root
        procs.update({c.pid: c for c in root.children(recursive=True)})
    return list(procs.values())


def uss_mb(procs: list[psutil.Process]) -> float:
    """Summed unique memory of `procs`, in MiB."""
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_full_info().uss
    return total / 2**20


def start_once(data: Path, port: int, idle: float) -> tuple[float, float, int]:
    """Start the stack, wait until ready; returns (seconds, idle MiB, process count)."""
    env = child_env({"TANDEM_DATA_DIR": str(data)})
    for key in ("DATABASE_URL", "DATABASE_ADMIN_URL", "REDIS_URL"):
        env.pop(key, None)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmapp.launcher", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "ready in" in line:
            break
        if proc.poll() is not None:
            raise RuntimeError("launcher exited before it was ready")
    elapsed = time.monotonic() - started
    time.sleep(idle)
    procs = stack_processes(psutil.Process(proc.pid), data)
    memory, count = uss_mb(procs), len(procs)
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=120)
    time.sleep(1)
    left = [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    if left:
        raise RuntimeError(f"still running after Ctrl-C: {[p.pid for p in left]}")
    return elapsed, memory, count


def main() -> None:
    """Print cold and warm start times and idle memory."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        data = Path(tmp) / "data"
        port = free_port()  # a new port changes the compiled frontend: the cold run rebuilds it
        cold, _cold_mem, count = start_once(data, port, idle=10)
        warm, warm_mem, _ = start_once(data, port, idle=10)
    print(f"cold start (fresh data dir, frontend rebuilt): {cold:.1f} s")
    print(f"warm start (same data dir and port):           {warm:.1f} s")
    print(f"idle memory of the whole stack ({count} processes, USS): {warm_mem:.0f} MiB")
    print("stopped cleanly: nothing left running after Ctrl-C")


if __name__ == "__main__":
    main()
