"""Social → Accounts: connected accounts and the ways to connect more."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, form_error
from crmapp.state.social.accounts import SocialAccountsState as S
from crmapp.state.tenancy.approvals import ApprovalsState as Approvals


def _status_badge(row: rx.Var) -> rx.Component:
    return rx.badge(
        row["status_text"],
        color_scheme=rx.match(
            row["status"], ("active", "green"), ("needs_reconnect", "orange"), "gray"
        ),
        variant="soft",
        class_name="account-status",
        white_space="normal",
    )


def _disconnect_button(row: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Disconnect",
                size="1",
                variant="soft",
                color_scheme="red",
                class_name="account-disconnect",
                disabled=~S.can_write,
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Disconnect ", row["name"], "?"),
            rx.alert_dialog.description(
                "Tandem forgets this account's tokens. Posts scheduled to it will fail with a "
                "reason until you connect it again."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", id="disconnect-cancel")),
                rx.alert_dialog.action(
                    rx.button(
                        "Disconnect",
                        color_scheme="red",
                        id="disconnect-confirm",
                        on_click=S.disconnect(row["id"]),
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )


def _account_row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(row["name"], weight="bold"),
                    rx.cond(
                        row["sandbox"] != "",  # its network is the sandbox: one badge
                        rx.badge(
                            row["label"],
                            color_scheme="amber",
                            variant="solid",
                            class_name="account-sandbox account-network",
                        ),
                        rx.badge(row["label"], variant="outline", class_name="account-network"),
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(row["handle"], size="2", color="gray", class_name="account-handle"),
                _status_badge(row),
                rx.text(row["expiry"], size="1", color="gray", class_name="account-expiry"),
                spacing="1",
                align="start",
                min_width="0",
            ),
            rx.spacer(),
            rx.vstack(
                rx.hstack(
                    rx.text("Audience time zone", size="1", color="gray"),
                    rx.select(
                        S.zones,
                        value=row["timezone"],
                        size="1",
                        custom_attrs={"aria-label": "Audience time zone"},
                        on_change=lambda tz: S.set_zone(row["id"], tz),
                        disabled=~S.can_write | (row["status"] == "disconnected"),
                        id="account-timezone-" + row["id"],
                        class_name="account-timezone",
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.hstack(
                    rx.cond(
                        row["feed"] != "",
                        rx.link(
                            rx.button("Open sandbox feed", size="1", variant="soft"),
                            href=row["feed"],
                            class_name="account-feed",
                        ),
                    ),
                    rx.cond(
                        row["can_reconnect"] != "",
                        rx.button(
                            "Reconnect",
                            size="1",
                            color_scheme="orange",
                            on_click=S.reconnect(row["id"]),
                            disabled=~S.can_write,
                            class_name="account-reconnect",
                        ),
                    ),
                    rx.cond(row["can_disconnect"] != "", _disconnect_button(row)),
                    spacing="2",
                ),
                align="end",
                spacing="2",
            ),
            width="100%",
            align="start",
            wrap="wrap",
            spacing="3",
        ),
        width="100%",
        id="account-" + row["id"],
        class_name="social-account",
    )


def accounts_list() -> rx.Component:
    """The connected accounts, or what to do when there are none."""
    return rx.cond(
        S.accounts.length() > 0,
        rx.vstack(
            rx.foreach(S.accounts, _account_row), width="100%", spacing="2", id="social-accounts"
        ),
        rx.cond(
            S.loaded,
            empty_state(
                "at-sign",
                "No social accounts yet",
                "Connect an account on one of the networks below, or add a sandbox account to "
                "try publishing without anything leaving Tandem.",
            ),
        ),
    )


def _oauth_button(option: rx.Var) -> rx.Component:
    network, label, hint = option["network"], option["label"], option["missing"]
    return rx.vstack(
        rx.button(
            rx.icon("log-in", size=14),
            "Connect ",
            label,
            on_click=S.connect(network),
            disabled=(hint != "") | ~S.can_write,
            id="connect-" + network,
            variant="soft",
        ),
        rx.cond(
            hint != "",
            rx.cond(
                S.can_admin,
                rx.text(
                    label,
                    " is not configured on this server: set ",
                    rx.code(hint),
                    " (and its secret) in the server's environment. See ",
                    rx.link("the social settings in the README", href=routes.HELP_SOCIAL),
                    ".",
                    size="1",
                    color="gray",
                    id="connect-" + network + "-hint",
                ),
                rx.text(
                    label,
                    " is not configured on this server; ask your administrator.",
                    size="1",
                    color="gray",
                    id="connect-" + network + "-hint",
                ),
            ),
        ),
        spacing="1",
        align="start",
    )


def _network_field(option: rx.Var) -> rx.Component:
    return rx.el.input(type="hidden", name="network", value=option["network"])


def _help_link(option: rx.Var) -> rx.Component:
    return rx.cond(
        option["help_url"] != "",
        rx.link(option["help_text"], href=option["help_url"], is_external=True, size="1"),
    )


def _server_form(option: rx.Var) -> rx.Component:
    """A network on the user's own server: its address, then that server's login page."""
    network = option["network"]
    return rx.form(
        rx.vstack(
            rx.text(option["label"], weight="medium"),
            _network_field(option),
            rx.hstack(
                rx.input(
                    name="instance",
                    placeholder=option["hint"],
                    id=network + "-instance",
                    width="260px",
                    aria_label="Your " + option["label"] + " server",
                ),
                rx.button("Connect", type="submit", id=network + "-connect", disabled=~S.can_write),
                align="center",
            ),
            _help_link(option),
            form_error(option["error"], id=network + "-error"),
            spacing="2",
        ),
        on_submit=S.connect_server,
    )


def _password_form(option: rx.Var) -> rx.Component:
    """A network connected with a handle and an app password (the password is not kept)."""
    network = option["network"]
    return rx.form(
        rx.vstack(
            rx.text(option["label"], weight="medium"),
            _network_field(option),
            rx.hstack(
                rx.input(
                    name="handle",
                    placeholder=option["hint"],
                    id=network + "-handle",
                    default_value=option["prefill"],
                    key=option["prefill"],
                    width="220px",
                    aria_label=option["label"] + " handle",
                ),
                rx.input(
                    name="app_password",
                    type="password",
                    id=network + "-password",
                    placeholder="xxxx-xxxx-xxxx-xxxx",
                    width="220px",
                    aria_label=option["label"] + " app password",
                    auto_complete="off",
                ),
                rx.button("Connect", type="submit", id=network + "-connect", disabled=~S.can_write),
                align="center",
                wrap="wrap",
            ),
            _help_link(option),
            form_error(option["error"], id=network + "-error"),
            spacing="2",
        ),
        on_submit=S.sign_in,
        reset_on_submit=True,
    )


def connect_card() -> rx.Component:
    """The networks' connect buttons and forms (as each network connects) and the sandbox."""
    return rx.card(
        rx.vstack(
            rx.heading("Connect an account", size="4"),
            rx.text(
                "You go to the network's login page and come back here. Callback URL to "
                "register with each network's app: ",
                rx.code(S.callback_url),
                size="2",
                color="gray",
            ),
            rx.flex(rx.foreach(S.oauth_options, _oauth_button), wrap="wrap", spacing="4"),
            rx.foreach(S.server_options, lambda o: rx.fragment(rx.divider(), _server_form(o))),
            rx.foreach(S.password_options, lambda o: rx.fragment(rx.divider(), _password_form(o))),
            rx.divider(),
            rx.form(
                rx.vstack(
                    rx.text("Add a sandbox account", weight="medium"),
                    rx.text(
                        "Posts to a sandbox account are published inside Tandem only, on its "
                        "sandbox feed: try scheduling, threads and the inbox safely.",
                        size="2",
                        color="gray",
                    ),
                    rx.hstack(
                        rx.input(
                            name="name",
                            placeholder="Acme",
                            id="sandbox-name",
                            width="260px",
                            aria_label="Sandbox account name",
                        ),
                        rx.button(
                            "Add sandbox account",
                            type="submit",
                            id="sandbox-add",
                            disabled=~S.can_write,
                        ),
                        align="center",
                    ),
                    form_error(S.sandbox_error, id="sandbox-error"),
                    spacing="2",
                ),
                on_submit=S.add_sandbox,
                reset_on_submit=True,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def approvals_card() -> rx.Component:
    """Whether posts need an Owner's or Admin's approval (only they may change it)."""
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text("Posts need approval before they are scheduled", weight="medium"),
                rx.text(
                    "Posts go to review, and an Owner or Admin approves them first.",
                    size="2",
                    color="gray",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.switch(
                checked=Approvals.required["social_approvals"],
                disabled=~S.can_admin,
                on_change=lambda value: Approvals.set_required("social_approvals", value),
                aria_label="Posts need an approval before publishing",
                id="social-approvals",
            ),
            width="100%",
            align="center",
        ),
        width="100%",
    )


def social_accounts_page() -> rx.Component:
    """Accounts, connecting, approvals; read-only for Viewers."""
    return app_shell(
        "Social accounts",
        rx.vstack(
            rx.cond(
                ~S.can_write,
                rx.callout(
                    "You can see the accounts; connecting and changing them needs "
                    "the Member role or higher.",
                    icon="eye",
                    id="accounts-readonly",
                ),
            ),
            accounts_list(),
            rx.cond(S.can_write, connect_card()),
            approvals_card(),
            width="100%",
            max_width="900px",
            spacing="4",
        ),
    )
