"""Companies and the deals list (the board is in pipeline_board.py)."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.listview import list_view
from crmapp.components.recordform import DEAL_DIALOG_FIELDS, record_form_dialog
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.services.platform import wording
from crmapp.state.crm.companies import CompanyListState, DealListState

COMPANY_DIALOG_FIELDS = ("name", "domain", "industry", "size", "phone", "owner_id", "tags")


def _new_button(state, entity: str, noun: str) -> rx.Component:
    return rx.tooltip(
        rx.button(
            rx.icon("plus", size=16),
            f"New {noun}",
            id=f"new-{entity}",
            on_click=state.open_new,
            disabled=~state.can_write,
        ),
        content=rx.cond(
            state.can_write, f"Add a {noun}", f"Viewers can't add {wording.plural_of(noun)}"
        ),
    )


def _import_button(state, entity: str) -> rx.Component:
    return rx.cond(
        state.can_write,
        rx.link(
            rx.button(rx.icon("upload", size=16), "Import CSV", variant="soft"),
            href=f"{routes.IMPORT}?entity={entity}",
            id=f"import-{entity}",
        ),
    )


def companies_page() -> rx.Component:
    """Companies: search, saved views, filters, sort, bulk actions, inline edit, pages."""
    return app_shell(
        "Companies",
        rx.vstack(
            list_view(
                CompanyListState,
                "company",
                noun_plural="companies",
                first_key="name",
                empty=empty_state(
                    "building-2",
                    "No companies yet",
                    "Companies group the people you sell to and their deals.",
                ),
                toolbar=[
                    _import_button(CompanyListState, "company"),
                    _new_button(CompanyListState, "company", "company"),
                ],
            ),
            record_form_dialog(CompanyListState, "company", "company", COMPANY_DIALOG_FIELDS),
            spacing="4",
            width="100%",
        ),
    )


def deals_list_page() -> rx.Component:
    """Deals as a table (sort, filter, bulk, inline edit); the board is one click away."""
    return app_shell(
        "Deals",
        rx.vstack(
            list_view(
                DealListState,
                "deal",
                noun_plural="deals",
                first_key="title",
                empty=empty_state(
                    "handshake", "No deals yet", "Deals move through your pipeline to Won."
                ),
                toolbar=[
                    rx.link(
                        rx.button(rx.icon("kanban", size=16), "Board", variant="soft"),
                        href=routes.DEALS,
                        id="to-board",
                    ),
                    _import_button(DealListState, "deal"),
                    _new_button(DealListState, "deal", "deal"),
                ],
            ),
            record_form_dialog(DealListState, "deal", "deal", DEAL_DIALOG_FIELDS),
            spacing="4",
            width="100%",
        ),
    )
