"""Engine and the tenant-scoped session factory.

Every transaction opened through `tenant_session` first runs
`set_config('app.tenant_id', ..., true)` (the `SET LOCAL` form), so row-level security filters
every statement of that transaction to one organisation, even a query that forgets the filter.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

from crmapp.services.platform.errors import NotFound
from crmapp.settings import get_settings

Row = TypeVar("Row")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine for the app role (cached per process)."""
    url = get_settings().database_url
    if not url:
        raise RuntimeError("DATABASE_URL is not set: start Tandem with `make run`")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def reset_engine() -> None:
    """Dispose of the cached engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


_SET_CONTEXT = text(
    "SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)"
)


@event.listens_for(Session, "after_begin")
def _apply_tenant(session: Session, transaction, connection) -> None:
    tenant = session.info.get("tenant_id")
    user = session.info.get("user_id")
    connection.execute(
        _SET_CONTEXT,
        {"tenant": str(tenant) if tenant else "", "user": str(user) if user else ""},
    )


@contextmanager
def tenant_session(org_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> Iterator[Session]:
    """A session whose every transaction is scoped to `org_id` (and `user_id`).

    Commits on a clean exit, rolls back on an exception. With `org_id=None` only global tables
    (users, sessions) and the caller's own memberships are visible.
    """
    session = Session(get_engine(), expire_on_commit=False)
    session.info["tenant_id"] = org_id
    session.info["user_id"] = user_id
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_in_org(
    session: Session, model: type[Row], row_id: uuid.UUID, org_id: uuid.UUID, missing: str
) -> Row:
    """The row of `model` with id `row_id` in organisation `org_id`: a lookup by id always names
    the tenant too, row-level security or not.

    Raises:
        NotFound: with the sentence `missing`, when the organisation has no such row.
    """
    row: Any = session.get(model, row_id)
    if row is None or row.org_id != org_id:
        raise NotFound(missing)
    return row


_UNSET: object = object()


def set_scope(session: Session, *, org_id: object = _UNSET, user_id: object = _UNSET) -> None:
    """Re-scope an open session to `org_id` and/or `user_id` for this and later transactions.

    Used when the tenant or user becomes known mid-request (sign-up creates the tenant; a login
    finds the user; an invite names the organisation).
    """
    if org_id is not _UNSET:
        session.info["tenant_id"] = org_id
    if user_id is not _UNSET:
        session.info["user_id"] = user_id
    if session.in_transaction():
        tenant, user = session.info.get("tenant_id"), session.info.get("user_id")
        session.connection().execute(
            _SET_CONTEXT,
            {
                "tenant": str(tenant) if tenant else "",
                "user": str(user) if user else "",
            },
        )
