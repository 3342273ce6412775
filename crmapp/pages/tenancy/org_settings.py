"""Settings page: organisation, members, invitations, my profile."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import field, form_error, label
from crmapp.state.tenancy.org_settings import SettingsState

ROLE_OPTIONS = (
    ("owner", "Owner"),
    ("admin", "Admin"),
    ("member", "Member"),
    ("viewer", "Viewer"),
)


def section(title: str, description: str, *children: rx.Component, id: str) -> rx.Component:
    """A titled card."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.text(description, size="2", color=rx.color("gray", 11)),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def organisation_section() -> rx.Component:
    """The organisation's name (read-only unless Admin/Owner)."""
    return section(
        "Organisation",
        "The name your team and clients see.",
        rx.form(
            rx.hstack(
                rx.input(
                    name="org_name",
                    aria_label="Organisation name",
                    id="org-name-input",
                    default_value=SettingsState.org_name,
                    key=SettingsState.org_name,
                    disabled=~SettingsState.can_admin,
                    width="320px",
                ),
                rx.button(
                    "Save",
                    type="submit",
                    id="org-name-save",
                    disabled=~SettingsState.can_admin,
                ),
                align="center",
            ),
            form_error(SettingsState.org_error, id="org-error"),
            on_submit=SettingsState.rename_org,
            reset_on_submit=False,
        ),
        rx.cond(
            ~SettingsState.can_admin,
            rx.text(
                "Only Admins and Owners can change organisation settings.",
                size="1",
                color=rx.color("gray", 10),
                id="org-readonly-note",
            ),
        ),
        id="settings-org",
    )


def member_row(m: rx.Var) -> rx.Component:
    """A member with their role (editable by Admins/Owners)."""
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(m["name"], weight="medium"),
                rx.text(m["email"], size="1", color="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                SettingsState.can_admin & (m["is_me"] == ""),
                rx.select.root(
                    rx.select.trigger(aria_label="Role of " + m["name"].to(str)),
                    rx.select.content(
                        *[rx.select.item(label, value=v) for v, label in ROLE_OPTIONS]
                    ),
                    value=m["role"],
                    on_change=lambda role: SettingsState.change_role(m["user_id"], role),
                ),
                rx.badge(m["role_label"], class_name="member-role"),
            )
        ),
        rx.table.cell(m["joined"]),
        rx.table.cell(
            rx.cond(
                SettingsState.can_admin & (m["is_me"] == ""),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button("Remove", size="1", variant="soft", color_scheme="red")
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Remove ", m["name"], "?"),
                        rx.alert_dialog.description(
                            "They lose access to this organisation at once. You can invite "
                            "them again later."
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                            rx.alert_dialog.action(
                                rx.button(
                                    "Remove",
                                    color_scheme="red",
                                    on_click=SettingsState.remove_member(m["user_id"]),
                                )
                            ),
                            justify="end",
                        ),
                    ),
                ),
            )
        ),
        class_name="member-row",
    )


def members_section() -> rx.Component:
    """Members and their roles."""
    return section(
        "Members",
        "Owners manage billing and ownership; Admins manage settings and members; Members "
        "create and edit records; Viewers can only look.",
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h) for h in ("Person", "Role", "Joined", "")]
                )
            ),
            rx.table.body(rx.foreach(SettingsState.members, member_row)),
            width="100%",
            id="members-table",
        ),
        id="settings-members",
    )


def invitations_section() -> rx.Component:
    """Invite by link with a role; pending invitations."""
    return section(
        "Invitations",
        "Invite a teammate by link. Links work once and expire after 7 days.",
        rx.form(
            rx.hstack(
                rx.vstack(
                    label("Email", for_id="invite-email"),
                    rx.input(
                        name="email",
                        type="email",
                        placeholder="teammate@company.com",
                        id="invite-email",
                        required=True,
                        width="100%",
                    ),
                    spacing="1",
                    width="280px",
                    max_width="100%",
                ),
                rx.vstack(
                    label("Role", for_id="invite-role"),
                    rx.select.root(
                        rx.select.trigger(id="invite-role"),
                        rx.select.content(
                            *[rx.select.item(text, value=v) for v, text in ROLE_OPTIONS[1:]]
                        ),
                        name="role",
                        default_value="member",
                    ),
                    spacing="1",
                ),
                rx.button("Create invite link", type="submit", id="invite-submit"),
                align="end",
                wrap="wrap",
            ),
            on_submit=SettingsState.invite,
            reset_on_submit=True,
        ),
        form_error(SettingsState.invite_error, id="invite-error"),
        rx.cond(
            SettingsState.invite_link != "",
            rx.callout(
                rx.vstack(
                    rx.text("Send this link to your teammate:"),
                    rx.hstack(
                        rx.code(SettingsState.invite_link, id="invite-link"),
                        rx.button(
                            rx.icon("copy", size=14),
                            "Copy",
                            size="1",
                            variant="soft",
                            on_click=[
                                rx.set_clipboard(SettingsState.invite_link),
                                rx.toast.info("Link copied."),
                            ],
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                ),
                icon="link",
                color_scheme="green",
            ),
        ),
        rx.cond(
            SettingsState.invitations.length() == 0,
            rx.text("No pending invitations.", size="2", color="gray"),
            rx.table.root(
                rx.table.body(
                    rx.foreach(
                        SettingsState.invitations,
                        lambda i: rx.table.row(
                            rx.table.cell(i["email"]),
                            rx.table.cell(rx.badge(i["role_label"])),
                            rx.table.cell("expires ", i["expires"]),
                            rx.table.cell(
                                rx.button(
                                    "Revoke",
                                    size="1",
                                    variant="soft",
                                    color_scheme="red",
                                    on_click=SettingsState.revoke_invitation(i["id"]),
                                )
                            ),
                        ),
                    )
                ),
                width="100%",
                id="invitations-table",
            ),
        ),
        id="settings-invitations",
    )


def profile_section() -> rx.Component:
    """The user's own name, time zone and password."""
    errors = SettingsState.password_errors
    return section(
        "My profile",
        "Times across Tandem are shown in your time zone.",
        rx.form(
            rx.vstack(
                field(
                    "Name",
                    "name",
                    default_value=SettingsState.user_name,
                    key=SettingsState.user_name,
                    id="profile-name",
                ),
                label("Time zone", for_id="profile-timezone"),
                rx.select(
                    SettingsState.timezones,
                    name="timezone",
                    value=SettingsState.timezone,
                    on_change=SettingsState.set_timezone_choice,
                    id="profile-timezone",
                ),
                rx.cond(
                    (SettingsState.browser_zone != "")
                    & (SettingsState.browser_zone != SettingsState.timezone),
                    rx.text(
                        "Your browser is in ",
                        SettingsState.browser_zone,
                        ". ",
                        rx.button(
                            "Use it",
                            type="button",
                            size="1",
                            variant="ghost",
                            on_click=SettingsState.set_timezone_choice(SettingsState.browser_zone),
                            id="profile-use-browser-zone",
                        ),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                form_error(SettingsState.profile_error, id="profile-error"),
                rx.button("Save profile", type="submit", id="profile-save"),
                align="start",
                width="100%",
                max_width="420px",
            ),
            on_submit=SettingsState.save_profile,
            reset_on_submit=False,
        ),
        rx.divider(),
        rx.form(
            rx.vstack(
                rx.text("Change password", weight="medium"),
                field(
                    "Current password",
                    "current_password",
                    errors.get("current_password", ""),
                    type="password",
                    auto_complete="current-password",
                ),
                field(
                    "New password",
                    "new_password",
                    errors.get("new_password", ""),
                    type="password",
                    auto_complete="new-password",
                ),
                rx.button("Change password", type="submit", id="password-save"),
                align="start",
                width="100%",
                max_width="420px",
            ),
            on_submit=SettingsState.change_password,
            reset_on_submit=True,
        ),
        id="settings-profile",
    )


def settings_page() -> rx.Component:
    """All settings on one page."""
    return app_shell(
        "Settings",
        rx.vstack(
            rx.cond(
                SettingsState.can_view_audit,
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("scroll-text", size=16), "Audit trail", variant="soft"),
                        href=routes.AUDIT,
                        id="to-audit",
                    ),
                    rx.link(
                        rx.button(rx.icon("trash-2", size=16), "Trash", variant="soft"),
                        href=routes.TRASH,
                        id="to-trash",
                    ),
                    rx.link(
                        rx.button(rx.icon("list-plus", size=16), "Custom fields", variant="soft"),
                        href=routes.FIELDS,
                        id="to-fields",
                    ),
                    rx.link(
                        rx.button(rx.icon("kanban", size=16), "Pipelines", variant="soft"),
                        href=routes.PIPELINES,
                        id="to-pipelines",
                    ),
                    rx.link(
                        rx.button(rx.icon("sparkles", size=16), "Proposals & AI", variant="soft"),
                        href=routes.PROPOSAL_SETTINGS,
                        id="to-proposal-settings",
                    ),
                    wrap="wrap",
                ),
            ),
            organisation_section(),
            members_section(),
            rx.cond(SettingsState.can_admin, invitations_section()),
            profile_section(),
            spacing="4",
            width="100%",
        ),
    )
