"""Where networks send the user back after their login page (`/social/connect/callback`).

The `state` in the query string is single-use and bound to the user who started the flow; the
tokens of the authors offered for choice stay sealed on the server, never in this state.
"""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.services.social import connect
from crmapp.state.session import SessionState

KIND_LABELS = {
    "user": "Account",
    "person": "Personal profile",
    "organization": "Company page",
    "page": "Facebook Page",
    "instagram_business": "Instagram business account",
}


class ConnectCallbackState(SessionState):
    """Finish a connection: connect the one author at once, or let the user pick."""

    phase: str = "working"  # working | choose | error
    error: str = ""
    choices: list[dict[str, str]] = []
    choose_error: str = ""
    _flow_state: str = ""  # backend-only: the flow's `state`, for `choose`

    def _param(self, name: str) -> str:
        value = self.router.page.params.get(name) or self.router.url.query_parameters.get(name)
        return str(value or "")

    @rx.event
    def load(self):
        """Exchange the code; one author is connected at once, several are offered."""
        state, code = self._param("state"), self._param("code")
        if state and state == self._flow_state:
            return None  # the page hydrated again (a reconnecting socket): already handled
        self.phase, self.error, self.choose_error, self.choices = "working", "", "", []
        denied = self._param("error_description") or self._param("error")
        if not state:
            self.phase = "error"
            self.error = (
                f"The network did not connect the account: {denied}"
                if denied
                else "Nothing to finish here: start again from Social → Accounts."
            )
            return None
        self._flow_state = state
        done = self._service(connect.complete, state=state, code=code, error=denied)
        if not done.ok:
            self.phase, self.error = "error", done.error
            return done.login
        found = done.value
        if len(found) == 1:
            return self._choose([found[0].index])
        self.choices = [
            {
                "index": str(c.index),
                "kind": KIND_LABELS.get(c.kind, c.kind.title()),
                "name": c.display_name,
                "handle": c.handle,
            }
            for c in found
        ]
        self.phase = "choose"
        return None

    def _choose(self, indexes: list[int]):
        done = self._service(
            connect.choose, state=self._flow_state, indexes=indexes, timezone=self.timezone
        )
        if not done.ok:
            self.phase, self.error = "error", done.error
            return done.login
        names = ", ".join(a.display_name or a.handle for a in done.value)
        return [rx.redirect(routes.SOCIAL_ACCOUNTS), rx.toast.success(f"Connected {names}.")]

    @rx.event
    def submit_choice(self, form: dict):
        """Connect the authors ticked in the chooser."""
        picked = [
            int(k[5:]) for k, v in form.items() if k.startswith("pick-") and k[5:].isdigit() and v
        ]
        if not picked:
            self.choose_error = "Tick at least one account or page."
            return None
        return self._choose(picked)
