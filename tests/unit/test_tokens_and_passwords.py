"""Session tokens are signed and opaque; passwords are hashed with argon2."""

import pytest

from crmapp.services.platform.errors import TooManyAttempts, format_wait
from crmapp.services.tenancy import tokens
from crmapp.services.tenancy.passwords import hash_password, password_problem, verify_password
from crmapp.settings import get_settings


@pytest.fixture(autouse=True)
def _secret(monkeypatch, tmp_path):
    monkeypatch.setenv("TANDEM_SECRET_KEY", "unit-test-secret-" + "x" * 32)
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_issued_token_verifies_to_its_stored_hash():
    token, digest = tokens.issue()
    assert tokens.verify(token) == digest
    assert digest not in token  # only the hash is stored, never the token


def test_tampered_or_malformed_tokens_are_refused():
    token, _ = tokens.issue()
    raw, sig = token.split(".")
    assert tokens.verify(f"{raw}x.{sig}") is None
    assert tokens.verify(f"{raw}.{sig[:-1]}A" if sig[-1] != "A" else f"{raw}.{sig[:-1]}B") is None
    for bad in ("", None, "nodot", "a.b.c", ".sig"):
        assert tokens.verify(bad) is None


def test_token_signed_with_another_key_is_refused(monkeypatch):
    token, _ = tokens.issue()
    monkeypatch.setenv("TANDEM_SECRET_KEY", "another-secret-" + "y" * 32)
    get_settings.cache_clear()
    assert tokens.verify(token) is None


def test_passwords_hash_with_argon2_and_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterY")
    assert not verify_password(None, "anything")


def test_weak_passwords_are_explained():
    assert "10 characters" in password_problem("short")
    assert password_problem("aaaaaaaaaaaa") is not None
    assert password_problem("a sound passphrase") is None


def test_rate_limit_message_says_how_long_to_wait():
    assert format_wait(75) == "1 min 15 s"
    assert format_wait(900) == "15 min"
    assert str(TooManyAttempts(42, "failed logins")) == "Too many failed logins. Try again in 42 s."


def test_production_refuses_placeholder_secret(monkeypatch):
    from crmapp.settings import Settings

    monkeypatch.setenv("TANDEM_ENV", "production")
    monkeypatch.setenv("TANDEM_SECRET_KEY", "change-me")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@/y")
    monkeypatch.setenv("REDIS_URL", "redis://localhost")
    with pytest.raises(ValueError, match="TANDEM_SECRET_KEY"):
        Settings()
