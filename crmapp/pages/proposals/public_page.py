"""/p/<token>: a sent proposal for its client; no login."""

from __future__ import annotations

import reflex as rx

from crmapp.services.proposals.public_link import MAX_EMAIL, MAX_NAME, MAX_REASON
from crmapp.state.proposals.public_page import PublicProposalState as S

HEARTBEAT_MS = 10_000


def error_text(key: str) -> rx.Component:
    """A field's validation message."""
    return rx.cond(
        S.field_errors.contains(key),
        rx.text(S.field_errors[key], size="1", color=rx.color("red", 11), id=f"sign-{key}-error"),
    )


def sign_panel() -> rx.Component:
    """Type your name, consent, sign — or decline."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Sign this proposal", size="4"),
                rx.text(
                    "Type your full name as your signature. The exact version you see is "
                    "recorded with a SHA-256 fingerprint, the time, your IP address and "
                    "browser.",
                    size="2",
                    color="gray",
                ),
                rx.hstack(
                    rx.input(
                        name="name",
                        placeholder="Full name",
                        id="sign-name",
                        width="100%",
                        max_length=MAX_NAME,
                        aria_label="Full name",
                    ),
                    rx.input(
                        name="email",
                        placeholder="Email (for your records)",
                        type="email",
                        id="sign-email",
                        width="100%",
                        max_length=MAX_EMAIL,
                        aria_label="Email",
                    ),
                    width="100%",
                ),
                error_text("name"),
                error_text("email"),
                rx.el.label(
                    rx.el.input(type="checkbox", name="consent", id="sign-consent"),
                    " I agree to sign this document electronically and that my typed name is my "
                    "signature.",
                    style={"font_size": "0.9em"},
                ),
                error_text("consent"),
                error_text("status"),
                error_text("version"),
                error_text("form"),
                rx.button(
                    rx.icon("pen-line", size=14), "Sign", type="submit", id="sign-submit", size="3"
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.sign,
        ),
        rx.separator(margin_y="1em"),
        rx.popover.root(
            rx.popover.trigger(
                rx.button("Decline", variant="ghost", color_scheme="gray", id="decline-open")
            ),
            rx.popover.content(
                rx.form(
                    rx.vstack(
                        rx.text_area(
                            name="reason",
                            placeholder="Optional: why?",
                            max_length=MAX_REASON,
                            id="decline-reason",
                            aria_label="Why you decline (optional)",
                        ),
                        error_text("reason"),
                        rx.button(
                            "Decline proposal",
                            type="submit",
                            color_scheme="red",
                            size="1",
                            id="decline-submit",
                        ),
                    ),
                    on_submit=S.decline,
                )
            ),
        ),
        width="100%",
        max_width="860px",
    )


def public_proposal_page() -> rx.Component:
    """The document as it will print, then the signature."""
    return rx.center(
        rx.vstack(
            rx.cond(
                S.error != "",
                rx.callout(S.error, icon="link-2-off", color_scheme="red", id="public-error"),
                rx.cond(
                    S.html == "",
                    rx.center(rx.spinner(size="3"), padding="4em"),
                    rx.vstack(
                        rx.hstack(
                            rx.text(S.org_name, weight="bold"),
                            rx.spacer(),
                            rx.badge(S.status, size="2", id="public-status"),
                            rx.button(
                                rx.icon("file-down", size=14),
                                "PDF",
                                variant="outline",
                                on_click=S.download_pdf,
                                id="public-pdf",
                            ),
                            width="100%",
                            align="center",
                        ),
                        # Sandboxed: no scripts and an opaque origin, so nothing in the document
                        # runs with the app's origin (links may still open in a new tab).
                        rx.el.iframe(
                            src_doc=S.html,
                            title=S.title,
                            id="public-document",
                            sandbox="allow-popups allow-popups-to-escape-sandbox",
                            style={
                                "width": "100%",
                                "height": "75vh",
                                "border": "1px solid var(--gray-6)",
                                "border_radius": "8px",
                                "background": "white",
                            },
                        ),
                        rx.cond(S.status == "sent", sign_panel()),
                        rx.cond(
                            S.signed_by != "",
                            rx.callout(
                                rx.text(
                                    "Signed by ",
                                    rx.text.strong(S.signed_by),
                                    ". Download the PDF for the signing certificate.",
                                ),
                                icon="badge-check",
                                color_scheme="green",
                                id="public-signed",
                            ),
                        ),
                        rx.moment(interval=HEARTBEAT_MS, on_change=S.heartbeat, display="none"),
                        width="100%",
                        max_width="860px",
                        spacing="3",
                    ),
                ),
            ),
            width="100%",
            max_width="900px",
            padding="1.5em",
        ),
        width="100%",
    )
