"""The AI gateway against local OpenAI-compatible fakes: streaming, failover, offline drafter,
budgets, and a dropped stream resumed without double counting."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crmapp.models.ai import AIUsage
from crmapp.models.tenancy import Organization
from crmapp.services.ai import budget, gateway
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.proposals import offline_writer
from crmapp.settings import get_settings
from tests import factories
from tests.fakes.openai_fake import DEFAULT_ANSWER, FakeOpenAI

OFFLINE = offline_writer.DraftInput(
    sections=[offline_writer.Section("Scope", "describe what we will deliver")],
    facts={"client": "Harbour Lights", "deal": "Website refit"},
)


@pytest.fixture
def fakes(monkeypatch):
    primary, fallback = FakeOpenAI().start(), FakeOpenAI(answer="Fallback answer here.").start()
    monkeypatch.setenv("TANDEM_AI_PRIMARY_MODEL", "gpt-4o-2024-08-06")
    monkeypatch.setenv("TANDEM_AI_PRIMARY_BASE_URL", primary.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("TANDEM_AI_FALLBACK_MODEL", "openai/gpt-4o-mini-2024-07-18")
    monkeypatch.setenv("TANDEM_AI_FALLBACK_BASE_URL", fallback.base_url)
    monkeypatch.setenv("GEMINI_API_KEY", "test")
    monkeypatch.setenv("TANDEM_AI_SMALL_MODEL", "gpt-4o-mini-2024-07-18")
    monkeypatch.setenv("TANDEM_AI_RETRIES", "1")
    get_settings.cache_clear()
    yield primary, fallback
    primary.stop()
    fallback.stop()
    get_settings.cache_clear()


def _prompt() -> gateway.Prompt:
    return gateway.Prompt(
        messages=[{"role": "user", "content": "Write the proposal."}],
        offline_text=lambda: offline_writer.draft(OFFLINE),
    )


def _run(signed, request_id: str | None = None) -> tuple[list[str], gateway.Outcome]:
    outcome = gateway.Outcome()
    with tenant_session(signed.actor.org_id) as session:
        pieces = list(
            gateway.generate(
                session,
                signed.actor.org_id,
                _prompt(),
                outcome,
                request_id=request_id,
                sleep=lambda _s: None,
            )
        )
    return pieces, outcome


def _ledger(signed) -> list[AIUsage]:
    with tenant_session(signed.actor.org_id) as session:
        return list(session.exec(select(AIUsage)).all())


def test_primary_up_streams_and_records_usage(fakes):
    owner = factories.signup()
    pieces, outcome = _run(owner)
    assert len(pieces) > 10 and "".join(pieces) == DEFAULT_ANSWER  # token by token
    assert (outcome.provider, outcome.model) == ("primary", "gpt-4o-2024-08-06")
    [row] = _ledger(owner)
    reported = fakes[0].usages[0]
    assert (row.prompt_tokens, row.completion_tokens) == (reported["prompt_tokens"], len(pieces))
    assert float(row.cost_usd) > 0 and float(row.cost_usd) == pytest.approx(outcome.cost_usd)
    assert fakes[0].requests[0]["stream"] is True


def test_primary_down_uses_the_fallback(fakes):
    fakes[0].mode = "down"
    owner = factories.signup()
    pieces, outcome = _run(owner)
    assert "".join(pieces) == "Fallback answer here."
    assert outcome.provider == "fallback"
    assert len(outcome.attempts) == 2 and all(a.startswith("primary") for a in outcome.attempts)
    assert fakes[0].calls == 2  # one try and one retry


def test_a_bad_key_moves_on_without_retrying(fakes):
    fakes[0].mode = "auth"
    owner = factories.signup()
    _pieces, outcome = _run(owner)
    assert outcome.provider == "fallback" and fakes[0].calls == 1


def test_both_down_falls_back_to_the_offline_drafter(fakes):
    fakes[0].mode = fakes[1].mode = "down"
    owner = factories.signup()
    pieces, outcome = _run(owner)
    text = "".join(pieces)
    assert outcome.offline and text == offline_writer.draft(OFFLINE)
    assert "## Scope" in text and "Harbour Lights" in text
    assert [float(r.cost_usd) for r in _ledger(owner)] == [0.0]


def test_no_provider_configured_means_offline_only(monkeypatch):
    for key in (
        "TANDEM_AI_PRIMARY_BASE_URL",
        "OPENAI_API_KEY",
        "TANDEM_AI_FALLBACK_BASE_URL",
        "GEMINI_API_KEY",
    ):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    try:
        assert gateway.offline_only()
        _pieces, outcome = _run(factories.signup())
        assert outcome.offline
    finally:
        get_settings.cache_clear()


def test_a_dropped_stream_resumes_without_double_counting(fakes):
    fakes[0].mode, fakes[0].drop_after = "drop", 6
    owner = factories.signup()
    pieces, outcome = _run(owner, request_id="gen-1")
    assert "".join(pieces) == DEFAULT_ANSWER  # no gap, no repeat
    assert outcome.resumed == 1 and outcome.provider == "primary"
    continued = fakes[0].requests[1]["messages"]
    assert continued[-2]["role"] == "assistant" and continued[-1]["content"] == gateway.CONTINUE
    [row] = _ledger(owner)
    with tenant_session(owner.actor.org_id) as session:
        assert budget.spent_usd(session, owner.actor.org_id) == pytest.approx(float(row.cost_usd))
    # Running the same generation again (a retried job) records nothing more.
    _run(owner, request_id="gen-1")
    assert len(_ledger(owner)) == 1
    with tenant_session(owner.actor.org_id) as session:
        assert budget.spent_usd(session, owner.actor.org_id) == pytest.approx(float(row.cost_usd))


def _set_budget(signed, usd: float, hard_stop: bool = False) -> None:
    with tenant_session(signed.actor.org_id) as session:
        org = session.get(Organization, signed.actor.org_id)
        org.ai_monthly_budget_usd, org.ai_hard_stop = usd, hard_stop
        session.add(org)


def test_budget_warns_at_80_percent_and_then_uses_the_small_model_or_stops(fakes):
    owner = factories.signup()
    _pieces, first = _run(owner)
    _set_budget(owner, first.cost_usd / 0.85)  # 85% spent
    _pieces, second = _run(owner)
    assert second.budget_level == "warn" and second.provider == "primary"
    _pieces, third = _run(owner)  # now over 100%
    assert third.budget_level == "over" and third.provider == "small"
    assert fakes[0].requests[-1]["model"] == "gpt-4o-mini-2024-07-18"
    _set_budget(owner, first.cost_usd / 0.85, hard_stop=True)
    with pytest.raises(gateway.BudgetExceeded, match="AI budget"):
        _run(owner)


def test_the_counter_is_rebuilt_from_the_ledger_when_redis_loses_it(fakes):
    owner = factories.signup()
    _run(owner)
    get_redis().delete(f"tandem:ai:spend:{owner.actor.org_id}:{budget.month_of()}")
    with tenant_session(owner.actor.org_id) as session:
        assert budget.spent_usd(session, owner.actor.org_id) == pytest.approx(
            float(_ledger(owner)[0].cost_usd)
        )


def test_usage_stays_in_its_tenant(fakes):
    owner, stranger = factories.signup(), factories.signup("Other")
    _run(owner)
    assert _ledger(stranger) == []


STABLE = "You write proposals for Northwind Studio. " + "Follow the house style guide. " * 200


def _deal_prompt(deal: str) -> gateway.Prompt:
    return gateway.Prompt(
        messages=[
            {"role": "system", "content": STABLE},
            {"role": "user", "content": f"The deal: {deal}. Write the proposal."},
        ],
        offline_text=lambda: offline_writer.draft(OFFLINE),
    )


def test_the_stable_first_message_is_served_from_the_cache_and_priced_lower(fakes):
    owner = factories.signup()
    with tenant_session(owner.actor.org_id) as session:
        outcomes = []
        for deal in ("Website refit for Harbour Lights", "Brand book for Tidewater"):
            outcome = gateway.Outcome()
            list(gateway.generate(session, owner.actor.org_id, _deal_prompt(deal), outcome))
            outcomes.append(outcome)
    first, second = outcomes
    # the same cache key for the same stable part, whatever the deal
    keys = {r["prompt_cache_key"] for r in fakes[0].requests}
    assert len(keys) == 1 and keys.pop().startswith("tandem-")
    assert first.cached_tokens == 0 and second.cached_tokens >= 1024
    assert second.cached_tokens == fakes[0].usages[1]["prompt_tokens_details"]["cached_tokens"]
    assert abs(first.prompt_tokens - second.prompt_tokens) < 5
    assert second.cost_usd < first.cost_usd  # cached tokens at the cache rate
    rows = sorted(_ledger(owner), key=lambda r: r.cached_tokens)
    assert [r.cached_tokens for r in rows] == [0, second.cached_tokens]
    with tenant_session(owner.actor.org_id) as session:
        use = budget.token_use(session, owner.actor.org_id)
    assert use.prompt_tokens == first.prompt_tokens + second.prompt_tokens
    assert use.cached_tokens == second.cached_tokens and 0 < use.cached_share < 1
