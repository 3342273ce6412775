"""Settings → Proposals & AI: approvals before sending, the monthly AI budget."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.services.ai import budget, gateway
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.proposals import lifecycle
from crmapp.services.tenancy import orgs
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import SessionState


class ProposalSettingsState(SessionState):
    """The organisation's proposal and AI settings."""

    approvals: bool = False
    budget_usd: str = ""
    hard_stop: bool = False
    spent: str = ""
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
        actor = self._actor()
        if actor is None:
            return
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.approvals = lifecycle.approvals_required(session, actor.org_id)
            state = budget.state(session, actor.org_id)
        self.budget_usd, self.hard_stop = f"{state.budget_usd:.2f}", state.hard_stop
        self.spent = f"${state.spent_usd:,.4f} ({state.share:.0%})"
        self.level = state.level.value
        self.providers = (
            "offline drafter (no AI provider configured)" if gateway.offline_only()
            else ", then ".join(f"{p.name}: {p.model}" for p in gateway.providers())
        )  # fmt: skip

    @rx.event
    def set_approvals(self, value: bool):
        """Require (or not) an approval before sending."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                lifecycle.set_approvals_required(session, actor, bool(value))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self.approvals = bool(value)
        return rx.toast.success("Saved.")

    @rx.event
    def save_budget(self, form: dict):
        """The monthly budget and whether to stop at 100%."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.error = ""
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                orgs.set_budget(session, actor, str(form.get("budget", "")),
                                bool(form.get("hard_stop")))  # fmt: skip
        except ServiceError as err:
            self.error = str(err)
            return None
        return [ProposalSettingsState.load, rx.toast.success("Budget saved.")]
