"""What a user sees when an event handler fails in a way nobody foresaw (the app's backend
exception handler): a toast with a reference; the traceback goes to the log under it."""

# No `from __future__ import annotations`: Reflex checks this handler's annotations as objects.
import reflex as rx
from reflex.event import EventSpec

from crmapp.services.platform.errors import user_message


def show_unexpected_error(exception: Exception) -> EventSpec:
    """The toast for an exception that escaped an event handler (never its text, unless it is
    one of the project's own errors, which are written for users)."""
    return rx.toast.error(
        user_message(exception, "event handler"), id="backend_error", position="top-center"
    )
