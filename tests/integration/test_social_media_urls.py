"""The signed media URLs that Instagram and Facebook fetch a post's files from
(`/api/media/...`): served while valid, refused once expired (403) or when any part of the URL
was changed (404)."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crmapp.api.media import api
from crmapp.services.social import library, payload
from crmapp.settings import get_settings
from tests import aio, factories
from tests.integration.test_social_library import png


class Client:
    """Requests to the media app in this process, as a network would send them."""

    def get(self, path: str) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(transport=transport, base_url="http://tandem") as c:
                return await c.get(path)

        return aio.run(fetch())


@pytest.fixture
def client() -> Client:
    return Client()


def _asset(signed):
    with factories.scoped(signed) as session:
        return library.add_asset(session, signed.actor, png(640, 640), "launch.png")


def _path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _with(url: str, **changes: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(changes)
    return f"{parts.path}?{urllib.parse.urlencode(query)}"


def test_a_media_url_serves_the_file_for_a_day_by_default(client):
    owner = factories.signup()
    asset = _asset(owner)
    url = payload.media_url(asset)
    answer = client.get(_path(url))
    assert answer.status_code == 200 and answer.content == png(640, 640)
    assert answer.headers["content-type"] == "image/png"
    expires = int(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["expires"])
    left = datetime.fromtimestamp(expires, UTC) - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < left <= timedelta(hours=24)
    assert get_settings().social_media_url_ttl_seconds == 24 * 3600


def test_an_expired_media_url_is_refused(client):
    owner = factories.signup()
    url = payload.media_url(_asset(owner), ttl_seconds=-1)
    answer = client.get(_path(url))
    assert answer.status_code == 403 and answer.content == b"This link has expired"


def test_a_changed_media_url_is_not_found(client):
    owner = factories.signup()
    asset = _asset(owner)
    url = payload.media_url(asset)
    later = str(int(datetime.now(UTC).timestamp()) + 30 * 24 * 3600)
    assert client.get(_with(url, expires=later)).status_code == 404, "expiry pushed back"
    assert client.get(_with(url, variant=asset.storage_key + "x")).status_code == 404
    assert client.get(_path(url).replace(str(asset.id), str(_asset(owner).id))).status_code == 404
    signature = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    forged = _path(url).replace(signature, "0" * len(signature))
    assert client.get(forged).status_code == 404
    assert client.get(_path(url).split("?")[0]).status_code == 404, "no expiry at all"
