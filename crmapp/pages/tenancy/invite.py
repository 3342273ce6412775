"""The page an invitation link opens."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.ui import field, form_error, zone_field
from crmapp.pages.tenancy.auth import auth_card
from crmapp.state.tenancy.invite import InviteState


def _new_account_form() -> rx.Component:
    errors = InviteState.field_errors
    return rx.form(
        rx.vstack(
            rx.text(
                "Create your account for ",
                rx.text.strong(InviteState.invite_email),
                ".",
            ),
            field(
                "Your name",
                "name",
                errors.get("name", ""),
                auto_focus=True,
                required=True,
            ),
            field(
                "Password",
                "password",
                errors.get("password", ""),
                type="password",
                required=True,
                auto_complete="new-password",
                placeholder="At least 10 characters",
            ),
            zone_field(InviteState, errors.get("timezone", "")),
            rx.button("Join", type="submit", width="100%", id="invite-join"),
            spacing="3",
            width="100%",
        ),
        on_submit=InviteState.create_account,
        reset_on_submit=False,
        width="100%",
    )


def _existing_account() -> rx.Component:
    return rx.cond(
        InviteState.signed_in_as != "",
        rx.vstack(
            rx.text("Signed in as ", rx.text.strong(InviteState.signed_in_as), "."),
            rx.button(
                "Accept invitation",
                on_click=InviteState.accept,
                width="100%",
                id="invite-accept",
            ),
            width="100%",
        ),
        rx.vstack(
            rx.text("You already have an account with ", InviteState.invite_email, "."),
            rx.link(
                rx.button("Log in to accept", width="100%"),
                href=routes.LOGIN + "?next=" + InviteState.router.url.path,
                width="100%",
            ),
            width="100%",
        ),
    )


def invite_page() -> rx.Component:
    """Join an organisation with the role the link carries."""
    return auth_card(
        "You're invited",
        "Join your team on Tandem.",
        rx.match(
            InviteState.status,
            ("loading", rx.center(rx.spinner())),
            (
                "invalid",
                rx.callout(
                    "This invitation link is not valid. Ask for a new one.",
                    color_scheme="red",
                    icon="circle-x",
                    id="invite-status",
                ),
            ),
            (
                "pending",
                rx.vstack(
                    rx.text(
                        "Join ",
                        rx.text.strong(InviteState.invite_org),
                        " as ",
                        rx.badge(InviteState.invite_role, id="invite-role-badge"),
                        ".",
                    ),
                    form_error(InviteState.error, id="invite-error"),
                    rx.cond(
                        InviteState.has_account,
                        _existing_account(),
                        _new_account_form(),
                    ),
                    width="100%",
                    spacing="3",
                ),
            ),
            rx.callout(
                rx.text("This invitation is ", InviteState.status, ". Ask for a new one."),
                color_scheme="orange",
                icon="clock",
                id="invite-status",
            ),
        ),
    )
