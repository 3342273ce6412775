"""Sign-up, login, sessions, rate limits and passwords against real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crmapp.models.tenancy import UserSession
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import InvalidCredentials, TooManyAttempts, ValidationError
from crmapp.services.tenancy import auth, tokens
from tests import factories


def test_signup_creates_owner_org_and_session():
    owner = factories.signup("Fresh Org")
    view = auth.resolve(owner.token)
    assert view.org_name == "Fresh Org"
    assert view.role == "owner"
    assert [o.name for o in view.orgs] == ["Fresh Org"]


def test_signup_reports_every_bad_field():
    with pytest.raises(ValidationError) as err:
        auth.signup(
            email="nope",
            password="short",
            name=" ",
            org_name="",
            client=factories.client(),
        )
    assert set(err.value.fields) == {"email", "password", "name", "org_name"}


def test_signup_refuses_a_taken_email_case_insensitively():
    owner = factories.signup()
    with pytest.raises(ValidationError, match="exists"):
        auth.signup(
            email=owner.email.upper(),
            password=factories.PASSWORD,
            name="X",
            org_name="Y",
            client=factories.client(),
        )


def test_session_row_stores_only_a_hash_and_expires():
    owner = factories.signup()
    with tenant_session(None) as session:
        row = session.exec(
            select(UserSession).where(UserSession.token_hash == tokens.verify(owner.token))
        ).one()
        assert owner.token not in row.token_hash
        row.expires_at = row.created_at - timedelta(seconds=1)
        session.add(row)
    assert auth.resolve(owner.token) is None


def test_login_rotates_the_presented_session():
    owner = factories.signup()
    new = auth.login(
        email=owner.email,
        password=factories.PASSWORD,
        client=factories.client(),
        previous_token=owner.token,
    )
    assert new != owner.token
    assert auth.resolve(owner.token) is None
    assert auth.resolve(new).email == owner.email


def test_logout_revokes():
    owner = factories.signup()
    auth.logout(owner.token, factories.client())
    assert auth.resolve(owner.token) is None


def test_forged_token_is_refused():
    owner = factories.signup()
    raw, _sig = owner.token.split(".")
    assert auth.resolve(f"{raw}.forgedsignature") is None


def test_five_wrong_passwords_lock_the_account_with_a_wait():
    owner = factories.signup()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            auth.login(email=owner.email, password="wrong password!", client=factories.client())
    with pytest.raises(TooManyAttempts) as err:
        # even the right password waits: the window slides, it is not reset by guessing right
        auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())
    assert 0 < err.value.retry_after <= 15 * 60
    assert "Try again in" in str(err.value)


def test_per_ip_limit_spans_accounts():
    same_ip = factories.client()
    for i in range(auth.LOGIN_IP_LIMIT):
        with pytest.raises(InvalidCredentials):
            auth.login(email=f"nobody{i}@example.test", password="x" * 12, client=same_ip)
    with pytest.raises(TooManyAttempts):
        auth.login(email="someone-else@example.test", password="x" * 12, client=same_ip)


def test_signup_is_rate_limited_per_ip(monkeypatch):
    from crmapp.settings import get_settings

    same_ip = factories.client()
    limit = get_settings().signup_max_attempts
    for i in range(limit):
        with pytest.raises(ValidationError):
            auth.signup(email=f"bad{i}", password="", name="", org_name="", client=same_ip)
    with pytest.raises(TooManyAttempts, match="sign-up attempts"):
        auth.signup(
            email=factories.email(),
            password=factories.PASSWORD,
            name="N",
            org_name="O",
            client=same_ip,
        )


def test_signup_is_rate_limited_per_address():
    address = factories.email("hammered")
    for _ in range(auth.SIGNUP_EMAIL_LIMIT):
        with pytest.raises(ValidationError):
            auth.signup(email=address, password="", name="", org_name="", client=factories.client())
    with pytest.raises(TooManyAttempts):
        auth.signup(
            email=address,
            password=factories.PASSWORD,
            name="N",
            org_name="O",
            client=factories.client(),
        )


def test_password_change_revokes_every_session_and_returns_a_new_one():
    owner = factories.signup()
    second = auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())
    new_token = auth.change_password(
        token=owner.token,
        current=factories.PASSWORD,
        new="another-long-password",
        client=factories.client(),
    )
    assert auth.resolve(owner.token) is None
    assert auth.resolve(second) is None
    assert auth.resolve(new_token).email == owner.email
    with pytest.raises(InvalidCredentials):
        auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())


def test_password_change_needs_the_current_password():
    owner = factories.signup()
    with pytest.raises(ValidationError) as err:
        auth.change_password(
            token=owner.token,
            current="not it at all",
            new="another-long-password",
            client=factories.client(),
        )
    assert "current_password" in err.value.fields
    assert auth.resolve(owner.token) is not None


def test_password_change_is_rate_limited_like_login():
    """A stolen session cannot guess the password through the change-password form."""
    from crmapp.settings import get_settings

    owner = factories.signup()
    for _ in range(get_settings().login_max_attempts):
        with pytest.raises(ValidationError, match="not right"):
            auth.change_password(
                token=owner.token,
                current="a wrong guess",
                new="another-long-password",
                client=factories.client(),
            )
    with pytest.raises(TooManyAttempts) as err:  # even the right password waits
        auth.change_password(
            token=owner.token,
            current=factories.PASSWORD,
            new="another-long-password",
            client=factories.client(),
        )
    assert 0 < err.value.retry_after <= get_settings().login_window_seconds
    assert "Try again in" in str(err.value)
    assert auth.resolve(owner.token) is not None  # nothing changed
    with pytest.raises(TooManyAttempts):  # the guesses count against the account's login too
        auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())


def test_user_in_two_orgs_switches_between_them():
    first = factories.signup("First")
    second_owner = factories.signup("Second")
    # invite the first user into the second org, accept while signed in
    from crmapp.services.tenancy import invitations

    with factories.scoped(second_owner) as session:
        _inv, link = invitations.create_invitation(
            session, second_owner.actor, first.email, "member"
        )
    invitations.accept_invitation(link, first.token, factories.client())
    view = auth.resolve(first.token)
    assert sorted(o.name for o in view.orgs) == ["First", "Second"]
    assert view.org_name == "Second" and view.role == "member"
    auth.switch_org(first.token, first.actor.org_id)
    view = auth.resolve(first.token)
    assert view.org_name == "First" and view.role == "owner"
    with pytest.raises(ValidationError):
        auth.switch_org(first.token, factories.signup("Stranger").actor.org_id)


def test_signup_keeps_the_time_zone_the_browser_gave_and_refuses_a_made_up_one():
    address = factories.email("paris")
    token = auth.signup(
        email=address,
        password=factories.PASSWORD,
        name="Paule",
        org_name="Paris Org",
        client=factories.client(),
        timezone="Europe/Paris",
    )
    assert auth.resolve(token).timezone == "Europe/Paris"
    with pytest.raises(ValidationError) as err:
        auth.signup(
            email=factories.email("mars"),
            password=factories.PASSWORD,
            name="Marvin",
            org_name="Mars Org",
            client=factories.client(),
            timezone="Mars/Olympus_Mons",
        )
    assert set(err.value.fields) == {"timezone"}
