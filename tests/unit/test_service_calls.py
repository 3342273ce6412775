"""How a page event shows what a service call came to (`crmapp.state.session.attempt`): the
project's own errors as written (a form's errors by field), anything else as a reference only."""

from __future__ import annotations

import logging

import pytest
import reflex as rx

from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.state.session import Outcome, attempt


def _refuse() -> None:
    raise PermissionDenied("Viewers can't create records in this organisation.")


def _invalid() -> None:
    raise ValidationError({"email": "Enter a valid email address.", "name": "Name is required."})


def _crash() -> None:
    raise RuntimeError("(psycopg.errors.UniqueViolation) duplicate key [SQL: INSERT INTO deal]")


def _toast_text(done: Outcome) -> str:
    assert done.toast is not None
    return str(done.toast.args)


def test_a_value_comes_back_when_the_call_goes_through():
    done = attempt(lambda a, b: a + b, 2, b=3)
    assert done.ok and done.value == 5
    assert done.toast is None and done.error == "" and done.fields == {}


def test_a_service_error_is_shown_as_written_in_a_toast_or_a_field():
    done = attempt(_refuse)
    assert not done.ok
    assert done.error == done.form_error == "Viewers can't create records in this organisation."
    assert "Viewers can't create records" in _toast_text(done)
    assert done.fields == {} and done.login is None
    with pytest.raises(RuntimeError):
        _ = done.value


def test_a_validation_error_keeps_its_message_per_field():
    done = attempt(_invalid)
    assert done.fields == {"email": "Enter a valid email address.", "name": "Name is required."}
    assert done.form_error == "", "the messages belong to their fields"
    assert "Enter a valid email address." in done.error


def test_an_internal_error_shows_only_a_reference_and_the_log_has_the_rest(caplog):
    caplog.set_level(logging.ERROR)
    done = attempt(_crash)
    assert done.error.startswith("Something went wrong on our side (reference ")
    shown = _toast_text(done)
    assert "psycopg" not in shown and "INSERT" not in shown and "reference" in shown
    reference = done.error.split("reference ", 1)[1][:8]
    assert any(reference in r.getMessage() for r in caplog.records)
    assert "duplicate key" in caplog.text
    assert isinstance(done.failure, RuntimeError)


def test_a_signed_out_user_is_sent_to_log_in_and_nothing_is_called():
    login = rx.redirect("/login?next=/crm/contacts")
    done: Outcome[int] = Outcome.signed_out(login)
    assert not done.ok and done.toast is login and done.login is login and done.error == ""
