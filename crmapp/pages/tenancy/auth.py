"""Login and sign-up pages."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.ui import field, form_error, zone_field
from crmapp.state.tenancy.auth import LoginState, SignupState


def auth_card(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """A centred card with the product name above it."""
    return rx.center(
        rx.vstack(
            rx.hstack(
                rx.icon("bike", size=28, color=rx.color("accent", 9)),
                rx.heading("Tandem", size="7"),
                align="center",
            ),
            rx.card(
                rx.vstack(
                    rx.heading(title, size="5"),
                    rx.text(subtitle, color=rx.color("gray", 11), size="2"),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                padding="1.5em",
            ),
            align="center",
            spacing="4",
            width="min(420px, 92vw)",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def login_page() -> rx.Component:
    """Email + password."""
    return auth_card(
        "Log in",
        "Welcome back. Log in to your workspace.",
        rx.form(
            rx.vstack(
                form_error(LoginState.error, id="login-error"),
                field(
                    "Email",
                    "email",
                    type="email",
                    placeholder="you@company.com",
                    auto_focus=True,
                    required=True,
                    auto_complete="username",
                ),
                field(
                    "Password",
                    "password",
                    type="password",
                    required=True,
                    auto_complete="current-password",
                ),
                rx.button(
                    "Log in",
                    type="submit",
                    width="100%",
                    id="login-submit",
                    loading=LoginState.busy,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=LoginState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            "New to Tandem? ",
            rx.link("Create an account", href=routes.SIGNUP, id="to-signup"),
            size="2",
        ),
    )


def signup_page() -> rx.Component:
    """A new user with a new organisation."""
    errors = SignupState.field_errors
    return auth_card(
        "Create your workspace",
        "You will be the Owner of a new organisation, and can invite your team next.",
        rx.form(
            rx.vstack(
                form_error(SignupState.error, id="signup-error"),
                field(
                    "Your name",
                    "name",
                    errors.get("name", ""),
                    auto_focus=True,
                    required=True,
                    auto_complete="name",
                ),
                field(
                    "Work email",
                    "email",
                    errors.get("email", ""),
                    type="email",
                    required=True,
                    auto_complete="email",
                ),
                field(
                    "Organisation name",
                    "org_name",
                    errors.get("org_name", ""),
                    required=True,
                    placeholder="Acme Agency",
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
                zone_field(SignupState, errors.get("timezone", "")),
                rx.button(
                    "Create workspace",
                    type="submit",
                    width="100%",
                    id="signup-submit",
                    loading=SignupState.busy,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=SignupState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            "Already have an account? ",
            rx.link("Log in", href=routes.LOGIN, id="to-login"),
            size="2",
        ),
    )
