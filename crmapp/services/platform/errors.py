"""The project's own exceptions; the UI shows `str(error)` to the user as is.

Any other exception is internal (SQL, parameters, a traceback): it is logged with its traceback
under a short reference, and the user sees a generic sentence with that reference (`unexpected`),
which an administrator can find in the logs.
"""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger("crmapp.errors")


class ServiceError(Exception):
    """Base for errors a user can act on."""


class ValidationError(ServiceError):
    """Input was refused; `fields` maps a field name to what is wrong with it."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("; ".join(fields.values()))


class PermissionDenied(ServiceError):
    """The actor's role does not allow the action."""


class NotFound(ServiceError):
    """No such record in the current organisation."""


class InvalidCredentials(ServiceError):
    """Wrong email or password (never says which)."""


class TooManyAttempts(ServiceError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: int, what: str = "attempts"):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many {what}. Try again in {format_wait(self.retry_after)}.")


def format_wait(seconds: int) -> str:
    """`75` -> `1 min 15 s`."""
    minutes, secs = divmod(int(seconds), 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def report(error: BaseException, context: str = "") -> str:
    """Log `error` with its traceback under a new reference; returns the reference."""
    reference = secrets.token_hex(4).upper()
    log.error(
        "reference %s%s: %s",
        reference,
        f" ({context})" if context else "",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__),
    )
    return reference


def unexpected(error: BaseException, context: str = "") -> str:
    """What a user is told of an internal error: nothing of it but a reference to the log."""
    reference = report(error, context)
    return (
        f"Something went wrong on our side (reference {reference}). Try again; if it happens "
        "again, give this reference to your administrator."
    )


def user_message(error: BaseException, context: str = "") -> str:
    """`str(error)` for the project's own errors, else the generic sentence of `unexpected`."""
    return str(error) if isinstance(error, ServiceError) else unexpected(error, context)
