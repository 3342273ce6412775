"""What the app shows about its connection to the server: nothing while it works, a calm
"Reconnecting…" while it does not (in place of Reflex's default toast, which names the websocket
address)."""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_connection_errors


def connection_notice() -> rx.Component:
    """A small notice at the bottom of the screen while the server cannot be reached."""
    return rx.cond(
        has_connection_errors,
        rx.hstack(
            rx.spinner(size="1"),
            rx.text("Reconnecting… Your last change may not be saved yet.", size="2"),
            role="status",
            aria_live="polite",
            id="connection-lost",
            align="center",
            spacing="2",
            position="fixed",
            bottom="16px",
            left="50%",
            transform="translateX(-50%)",
            z_index="1000",
            padding_x="1em",
            padding_y="0.5em",
            border_radius="999px",
            background=rx.color("amber", 3),
            border=f"1px solid {rx.color('amber', 7)}",
            color=rx.color("amber", 12),
            box_shadow="0 4px 16px rgba(0,0,0,0.12)",
            max_width="calc(100vw - 32px)",
        ),
    )
