"""Child processes: the RQ workers and the Reflex web app, each in its own process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

from crmapp.settings import PROJECT_ROOT, get_settings

TOOLS_BIN = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"


@lru_cache(maxsize=1)
def npm_registry() -> str:
    """The machine's configured npm registry (Reflex would otherwise probe mirrors)."""
    try:
        out = subprocess.run(
            ["npm", "config", "get", "registry"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    return out or "https://registry.npmjs.org/"


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every Tandem child process gets: this one's, the tools on PATH, and
    `extra` (what the launcher tells its children, e.g. the URLs of the services it started).
    The children read it through their own `Settings`."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([str(TOOLS_BIN), venv_bin, env.get("PATH", "")])
    bun = TOOLS_BIN / "bun"
    if bun.exists():
        env["REFLEX_BUN_PATH"] = str(bun)
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("NPM_CONFIG_REGISTRY", npm_registry())
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def _spawn(args: list[str], env: dict[str, str], log_path: Path, cwd: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115  (owned by the child for its lifetime)
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


# One worker process per class of queues (jobs/queues.py), most urgent first: publishing and
# token refresh, proposal writing, then bulk work (imports, embeddings, housekeeping).
WORKER_CLASSES = ("urgent", "interactive", "bulk")


def start_worker(
    env: dict[str, str], log_path: Path, *, burst: bool = False, kind: str = "all"
) -> subprocess.Popen:
    """`python -m jobs.worker --class KIND` (RQ worker with its scheduler); `all` serves every
    queue in one process."""
    args = [sys.executable, "-m", "jobs.worker", "--class", kind, *(["--burst"] if burst else [])]
    return _spawn(args, env, log_path, PROJECT_ROOT)


def start_workers(env: dict[str, str], log_dir: Path) -> dict[str, subprocess.Popen]:
    """One worker per class of queues, logging to `log_dir/worker-<class>.log`; what `make run`,
    the browser tests and the benchmarks start."""
    started: dict[str, subprocess.Popen] = {}
    try:
        for kind in WORKER_CLASSES:
            started[kind] = start_worker(env, worker_log(log_dir, kind), kind=kind)
    except BaseException:
        stop_workers(started)
        raise
    return started


def worker_log(log_dir: Path, kind: str) -> Path:
    """Where the worker of class `kind` logs."""
    return log_dir / f"worker-{kind}.log"


def stop_workers(workers: dict[str, subprocess.Popen], timeout: float = 15) -> None:
    """Stop every worker `start_workers` started, all at once (SIGTERM lets each finish its
    job; what is left after `timeout` seconds is killed)."""
    groups = {}
    for proc in workers.values():
        with contextlib.suppress(ProcessLookupError):
            groups[proc] = os.getpgid(proc.pid)
    for pgid in groups.values():
        _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in workers.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc, pgid in groups.items():
        _signal_group(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def spawn_web(
    port: int, env: dict[str, str], log_path: Path, *, app_dir: Path = PROJECT_ROOT
) -> subprocess.Popen:
    """Start building and serving a Reflex app (production mode, one port); returns at once."""
    host = get_settings().host
    args = [
        sys.executable,
        "-m",
        "crmapp.launcher.web",
        "run",
        "--env",
        "prod",
        "--single-port",
        "--backend-port",
        str(port),
        "--backend-host",
        host,
    ]
    return _spawn(args, env, log_path, app_dir)


def await_web(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 600) -> None:
    """Wait until the app answers; stop it and raise (with its log) if it does not."""
    try:
        wait_http(f"http://127.0.0.1:{port}/", proc, log_path, timeout=timeout)
    except BaseException:
        stop_process_group(proc)
        raise


def start_web(
    port: int,
    env: dict[str, str],
    log_path: Path,
    *,
    app_dir: Path = PROJECT_ROOT,
    timeout: float = 600,
) -> subprocess.Popen:
    """Build and serve a Reflex app (production mode, one port); returns once it answers."""
    proc = spawn_web(port, env, log_path, app_dir=app_dir)
    await_web(proc, port, log_path, timeout)
    return proc


def wait_http(url: str, proc: subprocess.Popen, log_path: Path, *, timeout: float) -> None:
    """Wait until `url` answers 200, failing early (with the log's tail) if `proc` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} process exited ({proc.returncode}):\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s:\n{log_tail(log_path)}")


def log_tail(path: Path, chars: int = 3000) -> str:
    """The end of a log file."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def stop_process_group(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM the process's whole group, then SIGKILL what is left."""
    if proc is None:
        return
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None:
        _signal_group(pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    if pgid is not None:
        _signal_group(pgid, signal.SIGKILL)  # stragglers: granian workers, bun, node
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
