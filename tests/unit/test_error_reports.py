"""An internal error reaches a user as a generic sentence with a reference; the log has the rest."""

from __future__ import annotations

import logging

from crmapp.services.platform.errors import ValidationError, unexpected, user_message
from crmapp.state.errors import show_unexpected_error

RAW = (
    "(psycopg.DataError) PostgreSQL text fields cannot contain NUL (0x00) bytes\n"
    "[SQL: INSERT INTO contact (first_name) VALUES (%(first_name)s)]\n"
    "[parameters: {'first_name': 'N\\x00ul'}]"
)


def _raised() -> RuntimeError:
    try:
        raise RuntimeError(RAW)
    except RuntimeError as err:
        return err


def _reference(message: str) -> str:
    return message.split("reference ", 1)[1][:8]


def test_an_internal_error_becomes_a_reference_and_its_traceback_is_logged(caplog):
    caplog.set_level(logging.ERROR)
    message = unexpected(_raised(), "import 42")
    assert "SQL" not in message and "parameters" not in message and "psycopg" not in message
    [record] = [r for r in caplog.records if _reference(message) in r.getMessage()]
    assert "import 42" in record.getMessage()
    assert record.exc_info is not None and "INSERT INTO contact" in caplog.text
    assert _reference(unexpected(_raised())) != _reference(message)  # one reference per error


def test_the_projects_own_errors_are_shown_as_written():
    assert user_message(ValidationError({"file": "The file is empty."})) == "The file is empty."
    assert user_message(_raised()).startswith("Something went wrong on our side (reference ")


def test_an_exception_escaping_an_event_handler_shows_a_toast_with_a_reference(caplog):
    caplog.set_level(logging.ERROR)
    toast = str(show_unexpected_error(_raised()).args)
    assert "Something went wrong on our side (reference " in toast
    assert "INSERT" not in toast and "psycopg" not in toast
    assert "INSERT INTO contact" in caplog.text
