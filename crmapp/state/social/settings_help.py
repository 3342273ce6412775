"""In-app help: the README's section on the social settings an administrator sets."""

from __future__ import annotations

import reflex as rx

from crmapp.services.platform import readme
from crmapp.state.session import SessionState

# A setting the social section of the README lists (it finds the section whatever its title).
SOCIAL_SETTING = "TANDEM_X_CLIENT_ID"


class HelpState(SessionState):
    """The help section shown."""

    section: str = ""
    loaded: bool = False

    @rx.event
    def load(self):
        """Read the section from the server's README."""
        self.section = readme.section_mentioning(SOCIAL_SETTING)
        self.loaded = True
