"""Media storage: S3Store against moto's S3, LocalStore under TANDEM_DATA_DIR, `store()` choice."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from crmapp.services.platform.errors import NotFound
from crmapp.services.social.media import derived_key
from crmapp.services.social.media_store import LocalStore, S3Store, new_key, store
from crmapp.settings import get_settings

pytestmark = pytest.mark.integration

BUCKET = "tandem-media-test"


@pytest.fixture(autouse=True)
def _services():
    """Storage needs neither PostgreSQL nor Redis: don't start them for these tests alone."""
    return None


@pytest.fixture
def settings_env(monkeypatch, tmp_path) -> Iterator[None]:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("TANDEM_MEDIA_S3_BUCKET", raising=False)
    monkeypatch.delenv("TANDEM_MEDIA_S3_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def s3(settings_env, monkeypatch):
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        monkeypatch.setenv("TANDEM_MEDIA_S3_BUCKET", BUCKET)
        get_settings.cache_clear()
        yield client


def test_store_picks_s3_when_a_bucket_is_set_and_round_trips(s3):
    chosen = store(42)
    assert isinstance(chosen, S3Store)
    key = new_key("image/png")
    chosen.put(key, b"\x89PNG-bytes", "image/png")

    head = s3.head_object(Bucket=BUCKET, Key=f"media/42/{key}")
    assert head["ContentType"] == "image/png"
    assert chosen.get(key) == b"\x89PNG-bytes"

    variant = derived_key(key, "instagram", "feed")
    chosen.put(variant, b"cropped", "image/png")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="media/42/")
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(
        [f"media/42/{key}", f"media/42/{variant}"]
    )

    url = chosen.url(key, expires_in=600)
    assert url and BUCKET in url and f"media/42/{key}" in url and "Expires=" in url

    chosen.delete(key)
    chosen.delete(key)  # deleting a missing key is fine
    with pytest.raises(NotFound):
        chosen.get(key)
    # another organisation does not see this one's files
    with pytest.raises(NotFound):
        store(43).get(variant)


def test_s3_store_refuses_keys_that_escape_the_prefix(s3):
    with pytest.raises(ValueError):
        store(1).put("../2/x.jpg", b"x", "image/jpeg")
    with pytest.raises(ValueError):
        store("../2")


def test_store_falls_back_to_local_disk_under_the_data_dir(settings_env, tmp_path):
    chosen = store(7)
    assert isinstance(chosen, LocalStore)
    chosen.put("photo.jpg", b"jpeg", "image/jpeg")
    assert (tmp_path / "media" / "7" / "photo.jpg").read_bytes() == b"jpeg"
    assert store(7).get("photo.jpg") == b"jpeg"
    assert chosen.url("photo.jpg") is None
    with pytest.raises(NotFound):
        store(8).get("photo.jpg")
    chosen.delete("photo.jpg")
    assert not (tmp_path / "media" / "7" / "photo.jpg").exists()
