"""Envelope encryption of stored secrets: per-organisation data keys, wrapped locally or by KMS."""

from __future__ import annotations

import stat

import pytest
from sqlmodel import select

from crmapp.models.secrets import OrgDataKey
from crmapp.services.platform import secrets
from crmapp.settings import get_settings
from tests import factories

TOKEN = "ya29.a0-very-secret-refresh-token"


def test_sealed_values_open_only_in_their_organisation_and_never_show_the_secret():
    first, second = factories.signup("Sealers"), factories.signup("Others")
    with factories.scoped(first) as session:
        sealed = secrets.seal(session, first.actor.org_id, TOKEN)
        assert TOKEN not in sealed and sealed.startswith("v1.")
        assert secrets.seal(session, first.actor.org_id, TOKEN) != sealed  # a fresh nonce
    secrets.forget_cached_keys()  # unwrap the stored key again
    with factories.scoped(first) as session:
        assert secrets.open_sealed(session, first.actor.org_id, sealed) == TOKEN
        row = session.exec(select(OrgDataKey)).one()
        assert row.wrapped_by == "local" and len(row.wrapped_key) == 12 + 32 + 16
    with factories.scoped(second) as session, pytest.raises(secrets.SecretError):
        secrets.open_sealed(session, second.actor.org_id, sealed)
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with factories.scoped(first) as session, pytest.raises(secrets.SecretError):
        secrets.open_sealed(session, first.actor.org_id, tampered)
    master = get_settings().data_dir / "master.key"
    assert stat.S_IMODE(master.stat().st_mode) == 0o600


def test_data_keys_are_wrapped_by_kms_when_a_key_id_is_set(monkeypatch):
    from moto import mock_aws

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "eu-west-1"),
    ):
        monkeypatch.setenv(name, value)
    with mock_aws():
        import boto3

        key_id = boto3.client("kms", region_name="eu-west-1").create_key()["KeyMetadata"]["KeyId"]
        monkeypatch.setenv("TANDEM_KMS_KEY_ID", key_id)
        get_settings.cache_clear()
        try:
            owner = factories.signup("Kms")
            with factories.scoped(owner) as session:
                sealed = secrets.seal(session, owner.actor.org_id, TOKEN)
            secrets.forget_cached_keys()
            with factories.scoped(owner) as session:
                assert secrets.open_sealed(session, owner.actor.org_id, sealed) == TOKEN
                row = session.exec(select(OrgDataKey)).one()
            assert row.wrapped_by == f"kms:{key_id}"
        finally:
            secrets.forget_cached_keys()
            get_settings.cache_clear()
