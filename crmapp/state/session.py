"""The signed-in user, as the UI sees it.

The browser holds only the opaque session token (a cookie); who the user is and which organisation
they act in are resolved on the server from that token on every page load and every action, so a
revoked session or a changed role takes effect at once. Identity lives in backend-only vars.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, TypeVar, cast

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from crmapp import routes
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError, unexpected
from crmapp.services.tenancy import auth
from crmapp.services.tenancy.auth import Client, SessionView
from crmapp.services.tenancy.permissions import ROLE_LABELS, Perm, permissions_for
from crmapp.settings import get_settings
from crmapp.state.errors import unexpected_toast

SESSION_COOKIE = "tandem_session"
# The IANA zone the browser is in, written by a script in every page's <head> (crmapp.py).
BROWSER_TZ_COOKIE = "tandem_tz"

P = ParamSpec("P")
T = TypeVar("T")


class Outcome(Generic[T]):
    """What a service call came to: its value, or what to show the user about why it failed.

    A handler that shows failures as a toast returns `toast`; one that shows them in its form
    keeps `error` (and a ValidationError's per-field messages, `fields`) and returns `login`,
    which is None unless the user is no longer signed in.
    """

    __slots__ = ("_value", "error", "failure", "fields", "login", "toast")

    def __init__(
        self,
        value: T | None = None,
        *,
        toast: EventSpec | None = None,
        login: EventSpec | None = None,
        error: str = "",
        fields: dict[str, str] | None = None,
        failure: Exception | None = None,
    ):
        self._value = value
        self.toast = toast  # None: it went well
        self.login = login
        self.error = error
        self.fields = fields or {}
        self.failure = failure  # the exception, for a handler that treats one kind apart

    @property
    def ok(self) -> bool:
        """Whether the call went through."""
        return self.toast is None

    @property
    def form_error(self) -> str:
        """`error`, unless it is a ValidationError's: then its messages are in `fields`."""
        return "" if self.fields else self.error

    @property
    def value(self) -> T:
        """What the service returned (only when `ok`)."""
        if not self.ok:
            raise RuntimeError("a failed service call has no value")
        return cast(T, self._value)

    @classmethod
    def signed_out(cls, login: EventSpec) -> Outcome[T]:
        """Nobody is signed in any more: the call was not made; `login` goes to log in."""
        return cls(toast=login, login=login)


def attempt(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Outcome[T]:
    """Call `fn`. A ServiceError is shown as written (a ValidationError's fields kept); any other
    exception is logged under a reference, and the user sees only that reference."""
    try:
        return Outcome(fn(*args, **kwargs))
    except ServiceError as err:
        fields = err.fields if isinstance(err, ValidationError) else {}
        return Outcome(toast=rx.toast.error(str(err)), error=str(err), fields=fields, failure=err)
    except Exception as err:
        message = unexpected(err, getattr(fn, "__qualname__", ""))
        return Outcome(toast=unexpected_toast(message), error=message, failure=err)


def call_as(
    actor: Actor,
    fn: Callable[Concatenate[Session, Actor, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> Outcome[T]:
    """`fn(session, actor, *args, **kwargs)` in one tenant transaction of `actor`'s organisation
    (committed when it returns, rolled back when it raises), as `attempt` reports it."""

    def run() -> T:
        with tenant_session(actor.org_id, actor.user_id) as session:
            return fn(session, actor, *args, **kwargs)

    run.__qualname__ = getattr(fn, "__qualname__", "service")
    return attempt(run)


class SessionState(rx.State):
    """Root of every signed-in page's state."""

    auth_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, same_site="lax", max_age=get_settings().session_ttl_seconds
    )
    browser_tz: str = rx.Cookie("", name=BROWSER_TZ_COOKIE, same_site="lax")

    # Backend-only: never sent to the browser.
    _user_id: str = ""
    _org_id: str = ""

    user_name: str = ""
    user_email: str = ""
    timezone: str = "UTC"
    org_name: str = ""
    active_org: str = ""
    role: str = ""
    orgs: list[dict[str, str]] = []
    perms: list[str] = []

    @rx.var
    def role_label(self) -> str:
        """The role as shown to the user."""
        return ROLE_LABELS.get(self.role, self.role.title()) if self.role else ""

    @rx.var
    def user_initials(self) -> str:
        """Initials for the avatar."""
        parts = [p for p in self.user_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @rx.var
    def can_write(self) -> bool:
        """Whether the role may create and edit records."""
        return Perm.RECORD_CREATE.value in self.perms

    @rx.var
    def can_admin(self) -> bool:
        """Whether the role may change organisation settings and members."""
        return Perm.ORG_UPDATE.value in self.perms

    @rx.var
    def can_restore(self) -> bool:
        """Whether the role may bring records back from the trash."""
        return Perm.RECORD_RESTORE.value in self.perms

    @rx.var
    def can_view_audit(self) -> bool:
        """Whether the role may browse the audit trail."""
        return Perm.AUDIT_VIEW.value in self.perms

    @rx.var
    def browser_zone(self) -> str:
        """The browser's IANA zone when it told us a real one, else ""."""
        return self.browser_tz if timefmt.is_zone(self.browser_tz) else ""

    @rx.var
    def signed_in(self) -> bool:
        """Whether a user is loaded."""
        return self.user_email != ""

    def _client(self) -> Client:
        return Client(
            ip=self.router.session.client_ip or "",
            user_agent=self.router.headers.user_agent or "",
        )

    def _tz(self) -> str:
        """The user's zone for showing times (each says its zone when the browser is elsewhere)."""
        return timefmt.shown_zone(self.timezone, browser=self.browser_tz)

    def _apply(self, view: SessionView | None) -> None:
        if view is None:
            self._user_id = self._org_id = ""
            self.user_name = self.user_email = self.org_name = self.active_org = self.role = ""
            self.orgs, self.perms = [], []
            return
        self._user_id = str(view.user_id)
        self._org_id = str(view.org_id or "")
        self.active_org = self._org_id
        self.user_name, self.user_email, self.timezone = (
            view.name,
            view.email,
            view.timezone,
        )
        self.org_name = view.org_name
        self.role = view.role.value if view.role else ""
        self.orgs = [{"id": o.id, "name": o.name, "role": o.role} for o in view.orgs]
        self.perms = permissions_for(view.role)

    def _refresh(self) -> SessionView | None:
        view = auth.resolve(self.auth_token)
        self._apply(view)
        return view

    def _actor(self) -> Actor | None:
        """The current actor, re-checked against the database (revocation and role changes)."""
        view = self._refresh()
        return view.actor(self._client()) if view else None

    def _to_login(self) -> EventSpec:
        """To the login page, and back to this page afterwards."""
        return rx.redirect(routes.login_with_next(self.router.url.path, self.router.url.query))

    def _service(
        self,
        fn: Callable[Concatenate[Session, Actor, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Outcome[T]:
        """How every handler calls a service: `fn(session, actor, *args, **kwargs)` as the
        signed-in user (re-checked now), in one tenant transaction; what went wrong comes back
        as an `Outcome` to show (a user who is no longer signed in is sent to log in)."""
        actor = self._actor()
        if actor is None:
            return Outcome.signed_out(self._to_login())
        return call_as(actor, fn, *args, **kwargs)

    def _signed_in(self, token: str, destination: str = routes.DASHBOARD):
        """Keep a freshly issued session token and go to `destination`."""
        self.auth_token = token
        self._refresh()
        return rx.redirect(destination)

    @rx.event
    def require_login(self):
        """on_load guard: load the user or send them to log in."""
        if self._refresh() is None:
            return self._to_login()
        return None

    @rx.event
    def logout(self):
        """Revoke the session and forget it in this browser."""
        auth.logout(self.auth_token, self._client())
        self.auth_token = ""
        self._apply(None)
        return rx.redirect(routes.LOGIN)

    @rx.event
    def switch_org(self, org_id: str):
        """Act in another organisation the user belongs to."""
        done = attempt(auth.switch_org, self.auth_token, uuid.UUID(org_id))
        if not done.ok:
            return done.toast
        self._refresh()
        return rx.redirect(routes.DASHBOARD)
