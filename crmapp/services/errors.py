"""The project's own exceptions; the UI shows `str(error)` to the user as is."""

from __future__ import annotations


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


class RateLimited(ServiceError):
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
