"""Composer AI assist through the gateway: a model through the local OpenAI-compatible fake, and
the offline writer when no model is configured; results always fit the network."""

from __future__ import annotations

import pytest

from crmapp.models.ai import AIUsage
from crmapp.services.platform.errors import ValidationError
from crmapp.services.social import assist, textrules
from crmapp.settings import get_settings
from tests import factories
from tests.fakes.openai_fake import FakeOpenAI

LONG = (
    "We rebuilt the harbour museum's booking site in six weeks. Visitors now book in three taps. "
    "Mobile conversions doubled and support calls fell by half. The team learned to publish "
    "exhibitions themselves, without waiting for an agency. Next we are adding memberships and "
    "gift cards, and a newsletter that writes itself from the exhibition calendar. "
) * 3


@pytest.fixture
def model(monkeypatch):
    fake = FakeOpenAI(
        answer="Part one about the museum.\n---\nPart two: book in three taps."
    ).start()
    monkeypatch.setenv("TANDEM_AI_PRIMARY_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("TANDEM_AI_RETRIES", "0")
    get_settings.cache_clear()
    yield fake
    fake.stop()
    get_settings.cache_clear()


def test_offline_assist_fits_every_network():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        thread = assist.thread(session, owner.actor, text=LONG, network="x")
        tags = assist.hashtags(session, owner.actor, text=LONG, network="instagram")
        caption = assist.caption(session, owner.actor, brief=LONG, network="x")
    assert thread.provider == "offline" and len(thread.parts) > 2
    assert all(textrules.count("x", p) <= 280 for p in thread.parts)
    assert tags.tags and all(t.startswith("#") for t in tags.tags)
    assert "#Harbour" in tags.tags or "#Museum" in tags.tags
    assert textrules.count("x", caption.text) <= 280
    with factories.scoped(owner) as session, pytest.raises(ValidationError):
        assist.thread(session, owner.actor, text=LONG, network="linkedin")  # no threads there


def test_a_model_writes_the_thread_and_its_usage_is_recorded(model):
    owner = factories.signup()
    with factories.scoped(owner) as session:
        thread = assist.thread(session, owner.actor, text=LONG, network="bluesky")
    assert thread.provider == "primary"
    assert thread.parts == ("Part one about the museum.", "Part two: book in three taps.")
    assert "bluesky" in model.requests[0]["messages"][0]["content"].lower()
    with factories.scoped(owner) as session:
        usage = session.exec(AIUsage.__table__.select()).all()  # type: ignore[attr-defined]
    assert any(row.purpose == "social" for row in usage)
