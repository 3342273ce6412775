"""`/social/connect/callback`: finishing a connection, and the chooser of authors."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import form_error
from crmapp.state.social.connect import ConnectCallbackState as S


def _choice(choice: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(
                type="checkbox",
                name="pick-" + choice["index"],
                id="choice-" + choice["index"],
                class_name="connect-choice",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(choice["name"], weight="medium"),
                    rx.badge(choice["kind"], variant="soft"),
                    align="center",
                ),
                rx.text(choice["handle"], size="1", color="gray"),
                spacing="0",
            ),
            align="center",
            spacing="3",
            padding="0.5em",
        ),
        width="100%",
        cursor="pointer",
    )


def chooser() -> rx.Component:
    """Several authors came back (a person and company pages, Pages, Instagram accounts)."""
    return rx.form(
        rx.vstack(
            rx.text(
                "This login can post as several accounts. Pick the ones Tandem should connect:",
                size="2",
            ),
            rx.foreach(S.choices, _choice),
            form_error(S.choose_error, id="choose-error"),
            rx.hstack(
                rx.button("Connect", type="submit", id="connect-chosen"),
                rx.link(
                    rx.button("Cancel", variant="soft", type="button"), href=routes.SOCIAL_ACCOUNTS
                ),
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.submit_choice,
    )


def connect_callback_page() -> rx.Component:
    """Working → connected (redirects), or a chooser, or the error."""
    return app_shell(
        "Connect an account",
        rx.card(
            rx.match(
                S.phase,
                ("choose", chooser()),
                (
                    "error",
                    rx.vstack(
                        rx.callout(
                            S.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            id="connect-error",
                            width="100%",
                        ),
                        rx.link(
                            "Back to accounts", href=routes.SOCIAL_ACCOUNTS, id="back-to-accounts"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.hstack(rx.spinner(), rx.text("Finishing the connection…"), align="center"),
            ),
            width="100%",
            max_width="640px",
        ),
    )
