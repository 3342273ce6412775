"""Log in and sign up."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.services.tenancy import auth
from crmapp.state.session import SessionState, attempt


class LoginState(SessionState):
    """The login form."""

    error: str = ""
    busy: bool = False

    @rx.event
    def redirect_if_signed_in(self):
        """on_load: a signed-in user goes straight to the app."""
        self.error = ""
        if auth.resolve(self.auth_token) is not None:
            return rx.redirect(routes.DASHBOARD)
        return None

    @rx.event
    def submit(self, form: dict):
        """Check the credentials and start a session (the button spins meanwhile)."""
        self.error, self.busy = "", True
        yield
        done = attempt(
            auth.login,
            email=form.get("email", ""),
            password=form.get("password", ""),
            client=self._client(),
            previous_token=self.auth_token,
        )
        self.error, self.busy = (
            done.error,
            False,
        )  # wrong credentials, or rate-limited with the wait
        if not done.ok:
            return
        token = done.value
        next_path = self.router.url.query_parameters.get("next", "")
        yield self._signed_in(token, routes.safe_next(next_path))


class SignupState(SessionState):
    """The sign-up form: a new user and their organisation."""

    error: str = ""
    field_errors: dict[str, str] = {}
    busy: bool = False

    @rx.event
    def submit(self, form: dict):
        """Create the account and organisation, then open the dashboard."""
        self.error, self.field_errors, self.busy = "", {}, True
        yield
        done = attempt(
            auth.signup,
            email=form.get("email", ""),
            password=form.get("password", ""),
            name=form.get("name", ""),
            org_name=form.get("org_name", ""),
            client=self._client(),
            timezone=form.get("timezone", "") or "UTC",
        )
        self.busy = False
        if not done.ok:
            self.field_errors = done.fields
            self.error = done.form_error
            return
        yield self._signed_in(done.value)
