"""`/help/social-settings`: the README's social publishing section (settings and set-up)."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.state.social.settings_help import HelpState as S


def social_help_page() -> rx.Component:
    """The section, as the README on this server says it."""
    return app_shell(
        "Social settings",
        rx.vstack(
            rx.link("← Back to accounts", href=routes.SOCIAL_ACCOUNTS, size="2"),
            rx.callout(
                "From the README that ships with this server. Settings are environment "
                "variables of the server: set them, then restart Tandem.",
                icon="book-open",
                size="1",
                width="100%",
            ),
            rx.cond(
                S.section != "",
                rx.box(
                    rx.markdown(S.section),
                    id="help-section",
                    width="100%",
                    class_name="help-section",
                ),
                rx.cond(
                    S.loaded,
                    rx.text(
                        "The README is not on this server; see README.md "
                        "in Tandem's source, section Social publishing.",
                        id="help-section",
                    ),
                ),
            ),
            width="100%",
            max_width="900px",
            spacing="3",
        ),
    )
