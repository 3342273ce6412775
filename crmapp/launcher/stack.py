"""PostgreSQL + Redis for Tandem: embedded ones by default, or those the settings name."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from crmapp.launcher.embedded import EmbeddedPostgres, EmbeddedRedis
from crmapp.settings import Settings

DB_NAME = "tandem"


@dataclass
class Services:
    """Running services and the environment that points Tandem at them."""

    env: dict[str, str]
    pg: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    notes: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """Stop whatever was started here (external servers are left alone)."""
        if self.redis is not None:
            self.redis.stop()
        if self.pg is not None:
            self.pg.stop()


def _app_password(data_dir: Path) -> str:
    path = data_dir / "db_app_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def start_services(
    data_dir: Path, settings: Settings | None = None, *, persist: bool = True
) -> Services:
    """Start (or connect to) PostgreSQL and Redis, migrate, and return the environment to use.

    Where `settings` name a database (DATABASE_URL) or a Redis (REDIS_URL), those servers are
    used and nothing is started; without `settings`, both are embedded ones, whatever the
    environment says (the tests' and benchmarks' own stacks).
    """
    from crmapp.services.platform.db_setup import prepare_database

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    services = Services(env={"TANDEM_DATA_DIR": str(data_dir)})
    try:
        settings = settings or Settings.model_construct()  # the defaults alone: all embedded
        role = settings.app_db_role
        if settings.database_url:
            app_url = settings.database_url
            admin_url = settings.admin_url
            password = make_url(app_url).password or ""
            role = make_url(app_url).username or role
            services.notes.append("PostgreSQL: using DATABASE_URL")
        else:
            services.pg = EmbeddedPostgres(data_dir / "pg")
            services.pg.start()
            services.pg.ensure_database(DB_NAME)
            password = _app_password(data_dir)
            admin_url = services.pg.admin_url(DB_NAME)
            app_url = services.pg.app_url(role, password, DB_NAME)
            services.notes.append(f"PostgreSQL: embedded, data in {data_dir / 'pg'}")
        if settings.redis_url:
            redis_url = settings.redis_url
            services.notes.append("Redis: using REDIS_URL")
        else:
            services.redis = EmbeddedRedis(data_dir / "redis", persist=persist)
            services.redis.start()
            redis_url = services.redis.url
            services.notes.append(f"Redis: embedded, data in {data_dir / 'redis'}")
        prepare_database(admin_url, role, password)
        services.env.update(
            DATABASE_URL=app_url,
            DATABASE_ADMIN_URL=admin_url,
            REDIS_URL=redis_url,
            TANDEM_APP_DB_ROLE=role,
        )
    except BaseException:
        services.stop()
        raise
    return services
