"""What a user sees when an event handler fails in a way nobody foresaw: a toast with a
reference; the traceback goes to the log under it. The app's backend exception handler shows it
for an exception that escapes a handler, and `SessionState.service` for one a service raises."""

# No `from __future__ import annotations`: Reflex checks this handler's annotations as objects.
import reflex as rx
from reflex.event import EventSpec

from crmapp.services.platform.errors import user_message


def unexpected_toast(message: str) -> EventSpec:
    """The toast for an internal error (`message` names only its reference)."""
    return rx.toast.error(message, id="backend_error", position="top-center")


def show_unexpected_error(exception: Exception) -> EventSpec:
    """The toast for an exception that escaped an event handler (never its text, unless it is
    one of the project's own errors, which are written for users)."""
    return unexpected_toast(user_message(exception, "event handler"))
