"""The top bar's global search: results as you type."""

from __future__ import annotations

import reflex as rx

from crmapp.services.crm import search
from crmapp.state.session import SessionState

KIND_ICONS = {"contact": "user", "company": "building-2", "deal": "handshake"}


class SearchState(SessionState):
    """The query and its hits."""

    query: str = ""
    hits: list[dict[str, str]] = []

    @rx.event
    def set_query(self, value: str):
        """Search as the user types (debounced in the page)."""
        self.query = value
        if len(value.strip()) < 2:
            self.hits = []
            return None
        done = self._service(search.search, value)
        if not done.ok:
            return done.toast
        self.hits = [
            {
                "kind": h.kind,
                "icon": KIND_ICONS[h.kind],
                "title": h.title,
                "subtitle": h.subtitle,
                "href": h.href,
            }
            for h in done.value
        ]
        return None

    @rx.event
    def clear(self):
        """Close the results."""
        self.query, self.hits = "", []

    @rx.event
    def open_first(self, key: str):
        """Enter opens the first result; Escape closes the list."""
        if key == "Escape":
            return SearchState.clear
        if key == "Enter" and self.hits:
            href = self.hits[0]["href"]
            self.query, self.hits = "", []
            return rx.redirect(href)
        return None
