"""The editor's send dialog: how long the link lasts, and — when the draft check found figures it
cannot trace — what they are and the box to tick to send anyway."""

from __future__ import annotations

import reflex as rx

from crmapp.components.ui import label
from crmapp.state.proposals.editor import ProposalState as S


def untraced_warning() -> rx.Component:
    """In the send dialog: what the draft check could not trace, and the box to confirm it."""
    return rx.vstack(
        rx.callout(
            rx.vstack(
                rx.text(
                    "To check before sending (",
                    S.flags.length(),
                    "):",
                    weight="medium",
                ),
                rx.foreach(
                    S.flags,
                    lambda f: rx.text(
                        "• ", rx.text.strong(f["text"]), " in ", f["title"], " (", f["reason"], ")"
                    ),
                ),
                spacing="1",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            id="send-untraced",
            width="100%",
        ),
        rx.hstack(
            rx.el.input(
                type="checkbox", name="confirm_untraced", id="confirm-untraced", required=True
            ),
            label("I checked them: send anyway", for_id="confirm-untraced", weight="regular"),
            align="center",
        ),
        width="100%",
        margin_top="0.75em",
    )


def send_dialog() -> rx.Component:
    """Send: choose how long the link lasts; confirm figures the check could not trace."""
    untraced = S.flags.length() > 0
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("send", size=14), "Send", id="send-open")),
        rx.dialog.content(
            rx.dialog.title("Send as a tracked link"),
            rx.dialog.description(
                "The content is frozen as a version, and a public link (no login) is created. "
                "You'll see each view and be notified on the first.",
                size="2",
            ),
            rx.form(
                rx.hstack(
                    rx.text("Link expires after", size="2"),
                    rx.input(
                        name="expires_days", default_value="30", width="70px", id="expires-days"
                    ),
                    rx.text("days (0: never)", size="2"),
                    align="center",
                ),
                rx.cond(untraced, untraced_warning()),
                rx.hstack(
                    rx.dialog.close(
                        rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                    ),
                    rx.cond(
                        untraced,
                        # Not closing by itself: the browser holds it until the box is ticked.
                        rx.button("Send anyway", type="submit", id="send-confirm"),
                        rx.dialog.close(rx.button("Send", type="submit", id="send-confirm")),
                    ),
                    justify="end",
                    margin_top="1em",
                ),
                on_submit=S.send,
            ),
        ),
    )
