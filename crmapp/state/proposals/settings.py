"""Settings → Proposals & AI: the monthly AI budget (the approvals switch is
`tenancy.approvals`)."""

from __future__ import annotations

import reflex as rx

from crmapp.services.ai import budget, gateway
from crmapp.services.tenancy import orgs
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import SessionState


class ProposalSettingsState(SessionState):
    """The organisation's proposal and AI settings."""

    budget_usd: str = ""
    hard_stop: bool = False
    spent: str = ""
    tokens: str = ""  # this month's prompt tokens and the share served from the prompt cache
    level: str = "ok"
    providers: str = ""
    error: str = ""

    @rx.var
    def can_budget(self) -> bool:
        """Whether the user may change the AI budget (Owner)."""
        return Perm.BILLING_MANAGE.value in self.perms

    @rx.event
    def load(self):
        """Current settings and this month's spend."""
        done = self._service(
            lambda session, actor: (
                budget.state(session, actor.org_id),
                budget.token_use(session, actor.org_id),
            )
        )
        if not done.ok:
            return done.toast
        state, use = done.value
        self.tokens = (
            f"{use.prompt_tokens:,} prompt tokens this month, {use.cached_tokens:,}"
            f" ({use.cached_share:.0%}) read from the providers' prompt cache"
            if use.prompt_tokens
            else ""
        )
        self.budget_usd, self.hard_stop = f"{state.budget_usd:.2f}", state.hard_stop
        self.spent = f"${state.spent_usd:,.4f} ({state.share:.0%})"
        self.level = state.level.value
        self.providers = (
            "offline drafter (no AI provider configured)"
            if gateway.offline_only()
            else ", then ".join(f"{p.name}: {p.model}" for p in gateway.providers())
        )
        return None

    @rx.event
    def save_budget(self, form: dict):
        """The monthly budget and whether to stop at 100%."""
        done = self._service(
            orgs.set_budget, str(form.get("budget", "")), bool(form.get("hard_stop"))
        )
        self.error = done.error
        if not done.ok:
            return done.login
        return [ProposalSettingsState.load, rx.toast.success("Budget saved.")]
