"""AI spend per organisation and month: a PostgreSQL ledger (the truth) and a Redis counter (fast).

Recording is idempotent on the generation's request id, so a retried or resumed generation is
counted once. The budget check reads the Redis counter and rebuilds it from the ledger when it is
missing (a flushed Redis loses nothing).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from crmapp.models.ai import AIUsage
from crmapp.models.tenancy import Organization
from crmapp.services.platform.redis_client import get_redis
from crmapp.settings import get_settings

WARN_SHARE = 0.8
MICRO = 1_000_000


class BudgetLevel(enum.StrEnum):
    """Where the month's spend stands."""

    OK = "ok"
    WARN = "warn"  # at or above 80%: the UI shows a banner
    OVER = "over"  # at or above 100%: small model, or stop


@dataclass(frozen=True)
class BudgetState:
    """The month's spend against the budget."""

    spent_usd: float
    budget_usd: float
    hard_stop: bool

    @property
    def share(self) -> float:
        """Spent / budget (1.0 = all of it)."""
        return self.spent_usd / self.budget_usd if self.budget_usd > 0 else 1.0

    @property
    def level(self) -> BudgetLevel:
        """OK, WARN (>= 80%) or OVER (>= 100%)."""
        if self.share >= 1:
            return BudgetLevel.OVER
        return BudgetLevel.WARN if self.share >= WARN_SHARE else BudgetLevel.OK


def month_of(when: datetime | None = None) -> str:
    """`YYYY-MM` in UTC."""
    return (when or datetime.now(UTC)).strftime("%Y-%m")


def _key(org_id: uuid.UUID, month: str) -> str:
    return f"tandem:ai:spend:{org_id}:{month}"


def spent_usd(session: Session, org_id: uuid.UUID, month: str | None = None) -> float:
    """The month's spend, from Redis (rebuilt from the ledger when missing)."""
    month = month or month_of()
    redis = get_redis()
    cached: Any = redis.get(_key(org_id, month))
    if cached is not None:
        return int(cached) / MICRO
    total = session.exec(
        select(func.coalesce(func.sum(AIUsage.cost_usd), 0)).where(
            AIUsage.org_id == org_id, AIUsage.month == month
        )
    ).one()
    micros = int(Decimal(total) * MICRO)
    redis.set(_key(org_id, month), micros, nx=True, ex=40 * 24 * 3600)
    return micros / MICRO


@dataclass(frozen=True)
class TokenUse:
    """A month's prompt tokens, and how many of them the providers served from their cache."""

    prompt_tokens: int
    cached_tokens: int

    @property
    def cached_share(self) -> float:
        """Cached / prompt tokens (0 when nothing was sent)."""
        return self.cached_tokens / self.prompt_tokens if self.prompt_tokens else 0.0


def token_use(session: Session, org_id: uuid.UUID, month: str | None = None) -> TokenUse:
    """The month's prompt tokens and cached tokens, from the ledger."""
    prompt, cached = session.exec(
        select(
            func.coalesce(func.sum(AIUsage.prompt_tokens), 0),
            func.coalesce(func.sum(AIUsage.cached_tokens), 0),
        ).where(AIUsage.org_id == org_id, AIUsage.month == (month or month_of()))
    ).one()
    return TokenUse(int(prompt), int(cached))


def state(session: Session, org_id: uuid.UUID) -> BudgetState:
    """This month's spend against the organisation's budget."""
    org = session.get(Organization, org_id)
    budget = get_settings().ai_default_budget_usd
    if org is not None and org.ai_monthly_budget_usd is not None:
        budget = org.ai_monthly_budget_usd
    return BudgetState(spent_usd(session, org_id), float(budget), bool(org and org.ai_hard_stop))


def record(
    session: Session,
    org_id: uuid.UUID,
    *,
    request_id: str,
    purpose: str,
    provider: str,
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    cost_usd: float,
    cached_tokens: int = 0,
) -> bool:
    """Add one generation to the ledger and the counter; False when `request_id` was recorded
    already (nothing is counted twice)."""
    month = month_of()
    spent_usd(session, org_id, month)  # make sure the counter exists before adding to it
    inserted = session.exec(  # type: ignore[call-overload]
        insert(AIUsage)
        .values(
            id=uuid.uuid4(),
            org_id=org_id,
            request_id=request_id,
            month=month,
            purpose=purpose,
            provider=provider,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached_tokens=cached_tokens,
            cost_usd=cost_usd,
            created_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["org_id", "request_id"])
        .returning(col(AIUsage.id))
    ).first()
    if inserted is None:
        return False
    session.commit()  # the ledger row first: the counter follows the truth, never leads it
    get_redis().incrby(_key(org_id, month), round(cost_usd * MICRO))
    return True
