"""Generate text through LiteLLM with failover, retries, resume and budgets; never fail.

Order of providers: the primary model, then the fallback model (each only when configured with a
key or a base URL), then the offline drafter, which always answers. Once an organisation has spent
its monthly budget, the small model replaces both (or generation stops, where the organisation
chose a hard stop).

Each provider gets `1 + TANDEM_AI_RETRIES` attempts with exponential backoff and jitter on errors
that may pass (timeouts, 429, 5xx, dropped connections); errors that will not (bad key, bad
request) move on to the next provider at once. A stream that drops after some text is resumed:
the next attempt asks the model to continue from the text already received, so the caller sees
one uninterrupted text and the prefix is not paid for twice. Usage is recorded once per
generation (idempotent on its request id), with the prompt tokens the provider served from its
prompt cache.

Prompt caching: a prompt's first message is its stable part (instructions, template,
organisation facts), the same for every deal; the deal-specific part follows. OpenAI caches such
a prefix by itself (from 1,024 tokens) and is given a `prompt_cache_key` derived from that first
message so requests sharing it reach the same cache; Anthropic and Bedrock models get a
`cache_control` breakpoint on it; Gemini caches implicitly. The cached tokens each answer reports
are priced at the provider's cache rate and recorded in the ledger.

LiteLLM is imported only when a provider is configured: the import alone takes seconds.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from crmapp.services.ai import budget
from crmapp.services.platform.errors import ServiceError
from crmapp.settings import get_settings, set_library_defaults

CONTINUE = "Continue exactly where the text stops. Do not repeat anything already written."


class StreamDropped(Exception):
    """The stream ended without the provider saying it finished (connection cut)."""


class BudgetExceeded(ServiceError):
    """The organisation spent its monthly AI budget and chose to stop there."""


@dataclass(frozen=True)
class Provider:
    """One model to try."""

    name: str  # primary | fallback | small
    model: str
    base_url: str
    api_key: str


@dataclass
class Prompt:
    """What to generate: the chat messages (the first one the stable part, the same across
    deals; see the module's note on caching), and the offline draft to fall back on."""

    messages: list[dict[str, str]]
    offline_text: Callable[[], str]
    purpose: str = "proposal"


@dataclass
class Outcome:
    """What happened, filled in while the stream runs."""

    provider: str = ""
    model: str = ""
    prompt_tokens: int = 0
    cached_tokens: int = 0  # of prompt_tokens, served from the provider's prompt cache
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: list[str] = field(default_factory=list)  # "primary: timeout", ...
    resumed: int = 0
    budget_level: str = "ok"

    @property
    def offline(self) -> bool:
        """Whether the offline drafter wrote it."""
        return self.provider == "offline"


def providers(*, over_budget: bool = False) -> list[Provider]:
    """The configured providers, in order (empty: offline only)."""
    s = get_settings()
    primary = Provider("primary", s.ai_primary_model, s.ai_primary_base_url, s.ai_primary_api_key)
    fallback = Provider(
        "fallback", s.ai_fallback_model, s.ai_fallback_base_url, s.ai_fallback_api_key
    )
    configured = [p for p in (primary, fallback) if p.base_url or p.api_key]
    if over_budget:
        return [Provider("small", s.ai_small_model, p.base_url, p.api_key) for p in configured[:1]]
    return configured


def offline_only() -> bool:
    """Whether no model is configured (the UI says drafts come from the offline drafter)."""
    return not providers()


def stream_words(text: str) -> Iterator[str]:
    """`text` in word-sized pieces (whitespace kept), as a model would stream it (the offline
    draft is streamed this way)."""
    yield from re.findall(r"\S+\s*|\s+", text)


def _litellm() -> Any:
    set_library_defaults("litellm")
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    return litellm


def _permanent(error: Exception) -> bool:
    """Errors another attempt at the same provider will not fix."""
    name = type(error).__name__
    return name in {
        "AuthenticationError",
        "BadRequestError",
        "NotFoundError",
        "PermissionDeniedError",
        "ContentPolicyViolationError",
        "UnprocessableEntityError",
    }


def _backoff(attempt: int) -> float:
    return min(4.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2)


def _cost(
    litellm: Any, model: str, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0
) -> float:
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cache_read_input_tokens=cached_tokens,
        )
        return float(prompt_cost + completion_cost)
    except Exception:  # a model missing from the cost map costs what we cannot know: 0
        return 0.0


def _litellm_model(provider: Provider) -> str:
    """The model as LiteLLM routes it: a bare name with a base URL speaks the OpenAI protocol."""
    if "/" in provider.model or not provider.base_url:
        return provider.model
    return f"openai/{provider.model}"


# Providers that cache only up to an explicit breakpoint (LiteLLM passes `cache_control`).
_BREAKPOINT_PREFIXES = ("anthropic/", "bedrock/", "vertex_ai/claude", "claude")


def cache_hints(model: str, messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict]:
    """`messages` and the extra request arguments that let the provider cache their stable
    first message: a `cache_control` breakpoint on it (Anthropic, Bedrock), or a
    `prompt_cache_key` naming it (OpenAI, which caches by itself); nothing for the others."""
    if not messages or not isinstance(messages[0].get("content"), str):
        return messages, {}
    first = messages[0]
    if model.startswith(_BREAKPOINT_PREFIXES):
        block = {"type": "text", "text": first["content"], "cache_control": {"type": "ephemeral"}}
        return [{**first, "content": [block]}, *messages[1:]], {}
    if model.startswith("openai/") or "/" not in model:
        digest = hashlib.sha256(first["content"].encode()).hexdigest()[:24]
        return messages, {"prompt_cache_key": f"tandem-{digest}"}
    return messages, {}


def _cached_tokens(reported: Any) -> int:
    """Prompt tokens read from the cache, as LiteLLM reports them (OpenAI's
    `prompt_tokens_details.cached_tokens`, or Anthropic's `cache_read_input_tokens`)."""
    details = getattr(reported, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    if not cached:
        cached = getattr(reported, "cache_read_input_tokens", None)
    return int(cached or 0)


def _stream_once(
    litellm: Any, provider: Provider, messages: list[dict[str, str]], usage: dict[str, int]
) -> Iterator[str]:
    settings = get_settings()
    model = _litellm_model(provider)
    hinted, extra = cache_hints(model, list(messages))
    response = litellm.completion(
        model=model,
        messages=hinted,
        stream=True,
        stream_options={"include_usage": True},
        api_base=provider.base_url or None,
        api_key=provider.api_key or "not-needed",
        timeout=settings.ai_timeout_seconds,
        num_retries=0,
        **extra,
    )
    for chunk in response:
        reported = getattr(chunk, "usage", None)
        if reported:
            usage["prompt"] = int(getattr(reported, "prompt_tokens", 0) or 0)
            usage["completion"] = int(getattr(reported, "completion_tokens", 0) or 0)
            usage["cached"] = _cached_tokens(reported)
        choices = getattr(chunk, "choices", None) or []
        if choices:
            text = getattr(choices[0].delta, "content", None)
            if text:
                yield text
    # LiteLLM closes a cut stream with a made-up "stop" and estimated usage; what the provider
    # really sent is kept here (None when it never said it finished).
    if getattr(response, "received_finish_reason", "stop") is None:
        raise StreamDropped("the stream ended before the model finished")


def within_budget(session: Session, org_id: uuid.UUID) -> budget.BudgetState:
    """This month's spend, checked against the organisation's hard stop: the one check, made
    when a draft is queued and again before any text is generated.

    Raises:
        BudgetExceeded: the budget is spent and the organisation chose to stop there.
    """
    state = budget.state(session, org_id)
    if state.level is budget.BudgetLevel.OVER and state.hard_stop:
        raise BudgetExceeded(
            f"This month's AI budget (${state.budget_usd:,.2f}) is spent, and your organisation"
            " stops drafting there. An Owner can raise it in Settings → Proposals & AI;"
            " drafting resumes next month otherwise."
        )
    return state


def generate(
    session: Session,
    org_id: uuid.UUID,
    prompt: Prompt,
    outcome: Outcome,
    *,
    request_id: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Generator[str, None, None]:
    """Stream the text of `prompt` for `org_id`; `outcome` says who wrote it and what it cost.

    Raises BudgetExceeded (before any text) when the organisation's budget is spent and it
    hard-stops. Usage is recorded when the stream ends.
    """
    request_id = request_id or uuid.uuid4().hex
    state = within_budget(session, org_id)
    outcome.budget_level = state.level.value
    over = state.level is budget.BudgetLevel.OVER
    candidates = providers(over_budget=over)
    written: list[str] = []
    retries = get_settings().ai_retries
    if candidates:
        litellm = _litellm()
        for provider in candidates:
            usage = {"prompt": 0, "completion": 0, "cached": 0}
            attempt = 0
            while attempt <= retries:
                messages = list(prompt.messages)
                if written:  # resume a dropped stream: continue from what arrived
                    messages += [
                        {"role": "assistant", "content": "".join(written)},
                        {"role": "user", "content": CONTINUE},
                    ]
                before = len(written)
                try:
                    for piece in _stream_once(litellm, provider, messages, usage):
                        written.append(piece)
                        yield piece
                except Exception as err:
                    outcome.attempts.append(f"{provider.name}: {type(err).__name__}")
                    if len(written) > before:
                        outcome.resumed += 1
                    if _permanent(err):
                        break
                    attempt += 1
                    if attempt <= retries:
                        sleep(_backoff(attempt))
                    continue
                # Tokens of a dropped attempt were delivered but never reported: estimate them.
                unreported = sum(len(p) for p in written[:before]) // 4 if before else 0
                outcome.provider, outcome.model = provider.name, provider.model
                outcome.prompt_tokens = usage["prompt"]
                outcome.cached_tokens = min(usage["cached"], usage["prompt"])
                outcome.completion_tokens = usage["completion"] + unreported
                outcome.cost_usd = _cost(
                    litellm,
                    provider.model,
                    outcome.prompt_tokens,
                    outcome.completion_tokens,
                    outcome.cached_tokens,
                )
                budget.record(
                    session,
                    org_id,
                    request_id=request_id,
                    purpose=prompt.purpose,
                    provider=provider.name,
                    model=provider.model,
                    prompt_tokens=outcome.prompt_tokens,
                    completion_tokens=outcome.completion_tokens,
                    cost_usd=outcome.cost_usd,
                    cached_tokens=outcome.cached_tokens,
                )
                return
    # Offline: the whole draft. If a model had already streamed part of an answer before every
    # provider gave up, that part stays (the reader has seen it) and the offline draft follows.
    text = prompt.offline_text()
    already = "".join(written)
    rest = text if not already else "\n\n" + text
    for piece in stream_words(rest):
        yield piece
    outcome.provider, outcome.model = "offline", "tandem-offline-drafter"
    budget.record(
        session,
        org_id,
        request_id=request_id,
        purpose=prompt.purpose,
        provider="offline",
        model=outcome.model,
        prompt_tokens=0,
        completion_tokens=0,
        cost_usd=0.0,
    )
