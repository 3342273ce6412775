"""Connecting social accounts through the real services, against the networks' local fakes:
single-use state bound to the user, PKCE, sealed tokens, reconnects, the chooser of authors."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.social import accounts, connect, http
from crmapp.settings import get_settings
from tests import factories
from tests.fakes.bluesky_fake import FakeBluesky
from tests.fakes.http_fake import Reply
from tests.fakes.linkedin_fake import FakeLinkedIn
from tests.fakes.mastodon_fake import FakeMastodon
from tests.fakes.meta_fake import APP_ID, APP_SECRET, FakeMeta
from tests.fakes.x_fake import FakeX

X_USER = "2244994945"


def _settings_changed() -> None:
    get_settings.cache_clear()
    http.reset_client()


@pytest.fixture
def fake_x(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeX]:
    server = FakeX(client_id="x-client").start()
    monkeypatch.setenv("TANDEM_X_API_BASE", server.base_url)
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", "x-client")
    monkeypatch.setenv("TANDEM_X_CLIENT_SECRET", "")
    monkeypatch.setenv("TANDEM_X_AUTHORIZE_URL", "https://x.example/i/oauth2/authorize")
    _settings_changed()
    yield server
    server.stop()
    monkeypatch.undo()
    _settings_changed()


@pytest.fixture
def fake_linkedin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLinkedIn]:
    server = FakeLinkedIn(client_id="li-client", client_secret="li-secret").start()
    server.add_organization("2414183", "Harbour Works")
    server.add_organization("5550001", "Harbour Labs")
    for name, value in (
        ("API_BASE", server.base_url),
        ("OAUTH_BASE", server.base_url),
        ("CLIENT_ID", "li-client"),
        ("CLIENT_SECRET", "li-secret"),
        ("VERSION", "202601"),
    ):
        monkeypatch.setenv(f"TANDEM_LINKEDIN_{name}", value)
    _settings_changed()
    yield server
    server.stop()
    monkeypatch.undo()
    _settings_changed()


@pytest.fixture
def fake_meta(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMeta]:
    server = FakeMeta().start()
    for name, value in (
        ("GRAPH_BASE", server.base_url),
        ("OAUTH_BASE", "https://fb.example"),
        ("GRAPH_VERSION", "v23.0"),
        ("APP_ID", APP_ID),
        ("APP_SECRET", APP_SECRET),
    ):
        monkeypatch.setenv(f"TANDEM_META_{name}", value)
    _settings_changed()
    yield server
    server.stop()
    monkeypatch.undo()
    _settings_changed()


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def _begin(signed: factories.Signed, network: str, **kw: str) -> dict[str, str]:
    with factories.scoped(signed) as session:
        return _query(connect.begin(session, signed.actor, network, **kw))


def _complete(signed: factories.Signed, state: str, code: str, error: str = ""):
    with factories.scoped(signed) as session:
        return connect.complete(session, signed.actor, state=state, code=code, error=error)


def _choose(signed: factories.Signed, state: str, indexes: list[int]):
    with factories.scoped(signed) as session:
        return connect.choose(session, signed.actor, state=state, indexes=indexes)


def _connect_x(owner: factories.Signed, fake: FakeX, user: str = X_USER):
    query = _begin(owner, "x")
    code = fake.authorize(
        code_challenge=query["code_challenge"], redirect_uri=query["redirect_uri"], user_id=user
    )
    (choice,) = _complete(owner, query["state"], code)
    (account,) = _choose(owner, query["state"], [choice.index])
    return account


def _row(signed: factories.Signed, account_id) -> dict:
    with factories.scoped(signed) as session:
        row = session.execute(
            text("SELECT * FROM social_account WHERE id = :id"), {"id": account_id}
        ).mappings()
        return dict(row.one())


def test_x_connects_with_pkce_and_its_tokens_are_sealed(fake_x: FakeX) -> None:
    owner = factories.signup()
    query = _begin(owner, "x")
    assert query["redirect_uri"] == get_settings().public_url.rstrip("/") + connect.CALLBACK_PATH
    assert query["code_challenge_method"] == "S256" and query["client_id"] == "x-client"
    raw = get_redis().get(f"social:oauth:flow:{query['state']}")
    assert raw and b"verifier" not in raw, "the flow's secrets wait sealed"
    code = fake_x.authorize(
        code_challenge=query["code_challenge"], redirect_uri=query["redirect_uri"]
    )
    (choice,) = _complete(owner, query["state"], code)
    assert (choice.handle, choice.kind) == ("tandem_test", "user")
    (token_call,) = fake_x.calls("POST", r"/2/oauth2/token")
    verifier = token_call.form()["code_verifier"][0]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert digest.decode() == query["code_challenge"], "the verifier matches the challenge"
    (account,) = _choose(owner, query["state"], [0])
    tokens = [t for t, (user, _exp) in fake_x.tokens.items() if user == X_USER]
    refresh = [t for t, user in fake_x.refresh_tokens.items() if user == X_USER]
    assert tokens and refresh
    row = _row(owner, account.id)
    stored = " ".join(str(v) for v in row.values())
    for secret in tokens + refresh:
        assert secret not in stored, "no plaintext token in social_account"
    assert row["access_token_sealed"] and row["refresh_token_sealed"]
    with factories.scoped(owner) as session:
        opened = accounts.credentials(
            session, accounts.get_account(session, owner.actor.org_id, account.id)
        )
        assert opened.access_token in tokens and opened.refresh_token in refresh


def test_a_wrong_verifier_is_refused_by_the_network(fake_x: FakeX) -> None:
    owner = factories.signup()
    query = _begin(owner, "x")
    code = fake_x.authorize(
        code_challenge="not-the-challenge-" + "a" * 30, redirect_uri=query["redirect_uri"]
    )
    with pytest.raises(ValidationError):
        _complete(owner, query["state"], code)


def test_the_state_is_single_use_and_bound_to_the_user(fake_x: FakeX) -> None:
    owner = factories.signup()
    colleague = factories.member(owner, "member")
    stranger = factories.signup("Other org")

    query = _begin(owner, "x")
    code = fake_x.authorize(
        code_challenge=query["code_challenge"], redirect_uri=query["redirect_uri"]
    )
    with pytest.raises(PermissionDenied, match="someone else"):
        _complete(colleague, query["state"], code)
    with pytest.raises(ValidationError, match="expired or was already used"):
        _complete(owner, query["state"], code)  # a stolen state is burnt, not reusable

    query = _begin(owner, "x")
    with pytest.raises(PermissionDenied, match="another organisation"):
        _complete(stranger, query["state"], "whatever")

    _connect_x(owner, fake_x)
    query = _begin(owner, "x")
    code = fake_x.authorize(
        code_challenge=query["code_challenge"], redirect_uri=query["redirect_uri"]
    )
    _complete(owner, query["state"], code)
    with pytest.raises(ValidationError, match="already used"):
        _complete(owner, query["state"], code)
    with pytest.raises(PermissionDenied):
        _choose(colleague, query["state"], [0])
    with pytest.raises(ValidationError, match="already used"):
        _choose(owner, query["state"], [0])


def test_a_refusal_on_the_consent_page_is_reported_and_burns_the_state(fake_x: FakeX) -> None:
    owner = factories.signup()
    query = _begin(owner, "x")
    with pytest.raises(ValidationError, match="access_denied"):
        _complete(owner, query["state"], "", error="access_denied")
    with pytest.raises(ValidationError, match="already used"):
        _complete(owner, query["state"], "")


def test_a_reconnect_keeps_the_account_id(fake_x: FakeX) -> None:
    owner = factories.signup()
    first = _connect_x(owner, fake_x)
    with factories.scoped(owner) as session:
        account = accounts.get_account(session, owner.actor.org_id, first.id)
        accounts.needs_reconnect(session, account, "Token revoked")
    before = _row(owner, first.id)["access_token_sealed"]
    again = _connect_x(owner, fake_x)
    assert again.id == first.id
    row = _row(owner, first.id)
    assert row["status"] == "active" and row["status_reason"] == ""
    assert row["access_token_sealed"] != before
    with factories.scoped(owner) as session:
        assert len(accounts.list_accounts(session, owner.actor)) == 1


def test_viewers_cannot_connect_and_missing_settings_say_what_to_set(
    fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    with pytest.raises(PermissionDenied):
        _begin(viewer, "x")
    monkeypatch.setenv("TANDEM_X_CLIENT_ID", "")
    _settings_changed()
    assert connect.missing_setting("x") == "TANDEM_X_CLIENT_ID"
    assert connect.missing_setting("mastodon") == ""
    with pytest.raises(ValidationError, match="TANDEM_X_CLIENT_ID"):
        _begin(owner, "x")


def test_linkedin_chooser_connects_only_the_picked_pages(fake_linkedin: FakeLinkedIn) -> None:
    owner = factories.signup()
    query = _begin(owner, "linkedin")
    code = fake_linkedin.authorize(redirect_uri=query["redirect_uri"])
    choices = _complete(owner, query["state"], code)
    assert [(c.kind, c.display_name) for c in choices] == [
        ("person", "Ada Lovelace"),
        ("organization", "Harbour Works"),
        ("organization", "Harbour Labs"),
    ]
    raw = get_redis().get(f"social:oauth:choose:{query['state']}")
    assert raw is not None
    for token in fake_linkedin.tokens:
        assert token.encode() not in raw, "the authors' tokens wait sealed"
    picked = _choose(owner, query["state"], [2, 99])  # an index out of range is ignored
    assert [(a.kind, a.display_name) for a in picked] == [("organization", "Harbour Labs")]
    with factories.scoped(owner) as session:
        views = [accounts.view(a) for a in accounts.list_accounts(session, owner.actor)]
    assert [(v.network_label, v.display_name) for v in views] == [("LinkedIn page", "Harbour Labs")]


def test_linkedin_pages_that_cannot_be_listed_are_reported_not_hidden(
    fake_linkedin: FakeLinkedIn,
) -> None:
    owner = factories.signup()
    query = _begin(owner, "linkedin")
    code = fake_linkedin.authorize(redirect_uri=query["redirect_uri"])
    fake_linkedin.fail_next(
        "GET", r"/rest/organizationAcls", Reply(404, {"message": "Not found", "status": 404})
    )
    with pytest.raises(ValidationError, match="could not list the company pages"):
        _complete(owner, query["state"], code)
    with factories.scoped(owner) as session:
        assert accounts.list_accounts(session, owner.actor) == []


def test_choosing_nothing_is_refused_and_keeps_the_choice_open(
    fake_linkedin: FakeLinkedIn,
) -> None:
    owner = factories.signup()
    query = _begin(owner, "linkedin")
    _complete(owner, query["state"], fake_linkedin.authorize(redirect_uri=query["redirect_uri"]))
    with pytest.raises(ValidationError, match="Pick at least one"):
        _choose(owner, query["state"], [])
    assert len(_choose(owner, query["state"], [0, 1])) == 2


def test_facebook_pages_and_instagram_accounts(fake_meta: FakeMeta) -> None:
    owner = factories.signup()
    fake_meta.add_page("111", "Acme Bakery")
    fake_meta.add_page("222", "Acme Cafe", ig_id="900", ig_username="acmecafe")
    fake_meta.add_code("code-fb")
    query = _begin(owner, "facebook")
    assert query["client_id"] == APP_ID
    choices = _complete(owner, query["state"], "code-fb")
    assert [(c.kind, c.display_name) for c in choices] == [
        ("page", "Acme Bakery"),
        ("page", "Acme Cafe"),
    ]
    (page,) = _choose(owner, query["state"], [1])
    assert (page.network, page.remote_id) == ("facebook", "222")
    stored = " ".join(str(v) for v in _row(owner, page.id).values())
    assert fake_meta.pages["222"]["token"] not in stored

    fake_meta.add_code("code-ig")
    query = _begin(owner, "instagram")
    (choice,) = _complete(owner, query["state"], "code-ig")
    assert (choice.kind, choice.handle) == ("instagram_business", "acmecafe")
    (ig,) = _choose(owner, query["state"], [choice.index])
    assert (ig.network, ig.remote_id) == ("instagram", "900")


def test_mastodon_registers_an_app_and_checks_pkce() -> None:
    owner = factories.signup()
    with FakeMastodon() as fake:
        with pytest.raises(ValidationError, match="Mastodon server"):
            _begin(owner, "mastodon", instance_url=" ")
        with factories.scoped(owner) as session:
            url = connect.begin(session, owner.actor, "mastodon", instance_url=fake.base_url)
        assert url.startswith(fake.base_url + "/oauth/authorize?")
        (app,) = fake.apps.values()
        assert app["redirect_uri"] == connect.redirect_uri()
        back = _query(httpx.get(url).headers["location"])  # the user approves
        (choice,) = _complete(owner, back["state"], back["code"])
        (account,) = _choose(owner, back["state"], [choice.index])
        assert account.base_url == fake.base_url and account.remote_id == fake.alice["id"]
        stored = " ".join(str(v) for v in _row(owner, account.id).values())
        for token in fake.tokens:
            assert token not in stored
        assert app["client_secret"] not in stored


def test_bluesky_connects_with_an_app_password_that_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = factories.signup()
    with FakeBluesky() as fake:
        monkeypatch.setenv("TANDEM_BLUESKY_PDS", fake.base_url)
        _settings_changed()
        try:
            with factories.scoped(owner) as session, pytest.raises(ValidationError):
                connect.sign_in(
                    session, owner.actor, "bluesky", handle="alice.test", app_password="wrong-pass"
                )
            with factories.scoped(owner) as session:
                account = connect.sign_in(
                    session,
                    owner.actor,
                    "bluesky",
                    handle="@alice.test",
                    app_password="app-pass-1234",
                    timezone="Europe/Paris",
                )
                account_id = account.id
            row = _row(owner, account_id)
            assert (row["network"], row["handle"], row["timezone"]) == (
                "bluesky",
                "alice.test",
                "Europe/Paris",
            )
            stored = " ".join(str(v) for v in row.values())
            assert "app-pass-1234" not in stored
            for jwt in list(fake.access) + list(fake.refresh):
                assert jwt not in stored
        finally:
            monkeypatch.undo()
            _settings_changed()


def test_accounts_are_invisible_to_other_organisations(fake_x: FakeX) -> None:
    owner = factories.signup()
    stranger = factories.signup("Other org")
    account = _connect_x(owner, fake_x)
    with tenant_session(stranger.actor.org_id, stranger.actor.user_id) as session:
        assert accounts.list_accounts(session, stranger.actor) == []
        with pytest.raises(Exception, match="No such social account"):
            accounts.set_timezone(session, stranger.actor, account.id, "UTC")
