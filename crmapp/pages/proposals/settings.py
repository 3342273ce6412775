"""Settings → Proposals & AI."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.components.ui import form_error
from crmapp.state.proposals.settings import ProposalSettingsState as S
from crmapp.state.tenancy.approvals import ApprovalsState as Approvals


def proposal_settings_page() -> rx.Component:
    """Approvals and the AI budget."""
    return app_shell(
        "Proposals & AI",
        rx.vstack(
            rx.card(
                rx.hstack(
                    rx.vstack(
                        rx.text("Require approval before sending", weight="medium"),
                        rx.text(
                            "Proposals go to review, and an Owner or Admin approves them "
                            "before they can be sent.",
                            size="2",
                            color="gray",
                        ),
                        spacing="1",
                    ),
                    rx.spacer(),
                    rx.switch(
                        checked=Approvals.required["proposal_approvals"],
                        on_change=lambda value: Approvals.set_required("proposal_approvals", value),
                        disabled=~S.can_admin,
                        aria_label="Proposals need an approval before sending",
                        id="approvals-switch",
                    ),
                    width="100%",
                    align="center",
                ),
                width="100%",
            ),
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.text("Monthly AI budget", weight="medium"),
                        rx.text("Writing with: ", rx.text.strong(S.providers), size="2"),
                        rx.text("Spent this month: ", S.spent, size="2", id="ai-spent"),
                        rx.cond(S.tokens != "", rx.text(S.tokens, size="2", id="ai-tokens")),
                        rx.hstack(
                            rx.text("$", size="2"),
                            rx.input(
                                name="budget",
                                default_value=S.budget_usd,
                                width="120px",
                                aria_label="Monthly AI budget (USD)",
                                id="ai-budget",
                                key=S.budget_usd,
                                disabled=~S.can_budget,
                            ),
                            rx.el.label(
                                rx.el.input(
                                    type="checkbox",
                                    name="hard_stop",
                                    default_checked=S.hard_stop,
                                    disabled=~S.can_budget,
                                    key=S.budget_usd,
                                ),
                                " Stop drafting at 100% (otherwise the smaller model takes over)",
                                style={"font_size": "0.9em"},
                            ),
                            align="center",
                            spacing="3",
                        ),
                        rx.text("A banner appears at 80%.", size="1", color="gray"),
                        form_error(S.error, id="budget-error"),
                        rx.button(
                            "Save budget", type="submit", disabled=~S.can_budget, id="budget-save"
                        ),
                        spacing="2",
                    ),
                    on_submit=S.save_budget,
                ),
                width="100%",
            ),
            width="100%",
            max_width="760px",
            spacing="3",
        ),
    )
