"""The social queue (`/social/calendar`): posts by day in the user's zone."""

from __future__ import annotations

import reflex as rx

from crmapp.services.social import post_views
from crmapp.services.social.post_views import QueueSection
from crmapp.state.session import SessionState

PAGE = 30


class QueueState(SessionState):
    """Upcoming, drafts and in review, recent; filtered by state; load more."""

    sections: list[QueueSection] = []
    state_filter: str = ""
    limit: int = PAGE
    more: bool = False
    loaded: bool = False

    def _fetch(self):
        done = self._service(
            post_views.queue, self._tz(), state=self.state_filter, limit=self.limit
        )
        if not done.ok:
            return done.toast
        self.sections, self.more = done.value
        self.loaded = True
        return None

    @rx.event
    def load(self):
        """The first page."""
        self.limit = PAGE
        return self._fetch()

    @rx.event
    def filter_state(self, state: str):
        """Only posts with a target in `state` ("all": every post)."""
        self.state_filter, self.limit = ("" if state == "all" else state), PAGE
        return self._fetch()

    @rx.event
    def load_more(self):
        """The next posts."""
        self.limit += PAGE
        return self._fetch()

    @rx.event
    def refresh(self, _value: object = None):
        """Re-read (polled while the page is open)."""
        return self._fetch()
