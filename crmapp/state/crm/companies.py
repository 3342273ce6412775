"""The companies list and the deals list (the board is `pipeline_board`)."""

from __future__ import annotations

from typing import Any

from crmapp.state.crm.list_edit import ListEditMixin
from crmapp.state.crm.record_form import RecordFormMixin
from crmapp.state.session import SessionState


class CompanyListState(ListEditMixin, RecordFormMixin, SessionState):
    """The companies list."""

    def _entity(self) -> str:
        return "company"

    def _after_save(self) -> list[Any]:
        return [CompanyListState.load]


class DealListState(ListEditMixin, RecordFormMixin, SessionState):
    """The deals list (beside the board)."""

    def _entity(self) -> str:
        return "deal"

    def _after_save(self) -> list[Any]:
        return [DealListState.load]
