"""`python -m crmapp.launcher run`: everything Tandem needs, in one process tree.

Starts PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL are set), migrates, seeds the
demo organisation once, starts the RQ workers (one per class of queues: urgent, interactive, bulk)
and the web app, and stops all of it on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import fcntl
import signal
import subprocess
import sys
import time
from pathlib import Path

from crmapp.launcher.processes import (
    await_web,
    child_env,
    log_tail,
    spawn_web,
    start_workers,
    stop_workers,
    worker_log,
)
from crmapp.launcher.processes import stop_process_group as stop
from crmapp.launcher.stack import Services, start_services
from crmapp.settings import PROJECT_ROOT, get_settings


def _raise_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def data_dir() -> Path:
    """TANDEM_DATA_DIR or `.data/` in the project."""
    return get_settings().data_dir.resolve()


@contextlib.contextmanager
def data_dir_lock(base: Path):
    """Hold an exclusive lock on `base` for the launcher's lifetime (one stack per data dir).

    A second launcher on the same directory would adopt the first one's PostgreSQL and then lose it
    when the first stops; it is refused with a clear message instead.
    """
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "launcher.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(
                f"Tandem: another launcher is using {base} (still running or still stopping);"
                " stop it first, or set TANDEM_DATA_DIR to another directory."
            ) from None
        yield


def run(port: int) -> int:
    """Run until Ctrl-C / SIGTERM or until a child dies; returns the exit code."""
    with data_dir_lock(data_dir()):
        return _run(port)


def _run(port: int) -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    started = time.monotonic()
    base = data_dir()
    logs = base / "logs"
    services: Services | None = None
    web = None
    workers: dict[str, subprocess.Popen] = {}
    code = 0
    try:
        print(f"Tandem: starting services (data in {base})", flush=True)
        services = start_services(base, get_settings())
        for note in services.notes:
            print(f"  {note}", flush=True)
        env = child_env(services.env)
        if "public_url" not in get_settings().model_fields_set:  # not configured: this port
            env["TANDEM_PUBLIC_URL"] = f"http://localhost:{port}"
        # The web app's production build is the slow part: start it first, seed meanwhile.
        print(f"Tandem: building and starting the web app on port {port}…", flush=True)
        web = spawn_web(port, env, logs / "web.log")
        workers = start_workers(env, logs)
        subprocess.run([sys.executable, "-m", "crmapp.seed"], env=env, check=True, cwd=PROJECT_ROOT)
        await_web(web, port, logs / "web.log")
        print(
            f"\nTandem is ready in {time.monotonic() - started:.1f} s at {env['TANDEM_PUBLIC_URL']}"
            f"\nLogs: {logs}/  ·  Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            children = [
                (f"{kind} worker", proc, worker_log(logs, kind)) for kind, proc in workers.items()
            ]
            for name, proc, log in [*children, ("web app", web, logs / "web.log")]:
                if proc.poll() is not None:
                    print(f"Tandem: the {name} exited ({proc.returncode}):\n{log_tail(log)}")
                    code = 1
                    raise KeyboardInterrupt
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except Exception as err:
        print(f"Tandem: could not start: {err}", file=sys.stderr)
        code = 1
    finally:
        print("Tandem: stopping…", flush=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip clean-up
        stop(web)
        stop_workers(workers)
        if services is not None:
            services.stop()
        print("Tandem: stopped.", flush=True)
    return code


def services_only() -> int:
    """Start PostgreSQL and Redis only, print their URLs, wait for Ctrl-C."""
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    with data_dir_lock(data_dir()):
        return _services_only()


def _services_only() -> int:
    services = start_services(data_dir(), get_settings())
    try:
        for key, value in services.env.items():
            print(f"export {key}='{value}'")
        print("# Ctrl-C stops the services", flush=True)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        services.stop()
    return 0


def migrate() -> int:
    """Prepare the database DATABASE_URL names (role, extension, migrations, grants).

    For deployments where each service runs on its own (docker-compose's `migrate` step). Seeds the
    demo organisation too when TANDEM_SEED_DEMO=1.
    """
    from sqlalchemy.engine import make_url

    from crmapp.services.platform.db_setup import prepare_database

    settings = get_settings()
    if not settings.database_url:
        print("DATABASE_URL is not set", file=sys.stderr)
        return 2
    parsed = make_url(settings.database_url)
    prepare_database(settings.admin_url, parsed.username or "tandem_app", parsed.password or "")
    print("Database ready (migrated to head).")
    if settings.seed_demo:
        subprocess.run([sys.executable, "-m", "crmapp.seed"], check=True, cwd=PROJECT_ROOT)
    return 0
