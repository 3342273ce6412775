"""The signed-in app shell: sidebar, top bar with organisation switcher and user menu."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.state.session import SessionState
from crmapp.state.tenancy.notifications import NotificationsState

POLL_MS = 20_000

NAV = (
    ("CRM", None, None),
    ("Dashboard", routes.DASHBOARD, "layout-dashboard"),
    ("Contacts", routes.CONTACTS, "users"),
    ("Companies", routes.COMPANIES, "building-2"),
    ("Deals", routes.DEALS, "handshake"),
    ("Proposals", None, None),
    ("Proposals", routes.PROPOSALS, "file-text"),
    ("Templates", routes.TEMPLATES, "layout-template"),
    ("Knowledge base", routes.KNOWLEDGE, "library"),
    ("Social", None, None),
    ("Composer", routes.SOCIAL_COMPOSER, "pen-line"),
    ("Calendar", routes.SOCIAL_CALENDAR, "calendar-days"),
    ("Inbox", routes.SOCIAL_INBOX, "inbox"),
    ("Analytics", routes.SOCIAL_ANALYTICS, "chart-column"),
    ("Accounts", routes.SOCIAL_ACCOUNTS, "at-sign"),
    ("Workspace", None, None),
    ("Settings", routes.SETTINGS, "settings"),
)


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    active = SessionState.router.url.path == href
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2"),
            spacing="2",
            align="center",
        ),
        href=href,
        id=f"nav-{label.lower()}",
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        padding_x="0.75em",
        padding_y="0.45em",
        border_radius="6px",
        width="100%",
        _hover={"background": rx.color("gray", 3)},
    )


def sidebar() -> rx.Component:
    """The left navigation. Its column (and background) runs the page's full length; the list
    inside stays in view while the page scrolls, and scrolls itself on short screens."""
    items: list[rx.Component] = []
    for label, href, icon in NAV:
        if href is None:
            items.append(
                rx.text(
                    label.upper(),
                    size="1",
                    weight="bold",
                    color=rx.color("gray", 10),
                    padding_x="0.75em",
                    padding_top="0.9em",
                )
            )
        else:
            items.append(_nav_item(label, href, icon))
    return rx.el.nav(
        rx.vstack(
            rx.hstack(
                rx.icon("bike", size=22, color=rx.color("accent", 9)),
                rx.heading("Tandem", size="5"),
                align="center",
                padding="0.75em",
            ),
            *items,
            bench_probe(),
            spacing="1",
            width="100%",
            height="100vh",
            position="sticky",
            top="0",
            overflow_y="auto",
            padding="0.5em",
            padding_bottom="1.5em",
        ),
        aria_label="Main",
        id="sidebar",
        width="220px",
        min_width="220px",
        align_self="stretch",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        display=["none", "none", "block"],
    )


def bench_probe() -> rx.Component:
    """A server round trip for bench/ui_roundtrip.py to click (never shown, not focusable)."""
    from crmapp.state.crm.dashboard import PingState

    return rx.box(
        rx.el.button(id="bench-ping", on_click=PingState.ping, tab_index=-1, type="button"),
        rx.el.span(PingState.count, id="bench-ping-count"),
        display="none",
        aria_hidden="true",
    )


def org_switcher() -> rx.Component:
    """Pick the organisation to act in."""
    return rx.cond(
        SessionState.orgs.length() > 1,
        rx.select.root(
            rx.select.trigger(id="org-switcher", min_width="200px"),
            rx.select.content(
                rx.foreach(
                    SessionState.orgs,
                    lambda o: rx.select.item(o["name"], value=o["id"]),
                )
            ),
            value=SessionState.active_org,
            on_change=SessionState.switch_org,
        ),
        rx.text(SessionState.org_name, weight="medium", id="org-name"),
    )


def user_menu() -> rx.Component:
    """Avatar menu: profile, settings, log out."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_initials, size="1", radius="full"),
                rx.text(SessionState.user_name, size="2", display=["none", "inline"]),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                id="user-menu",
            )
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.user_email, size="2", weight="medium"),
                padding_x="0.75em",
                padding_y="0.25em",
            ),
            rx.box(
                rx.text(
                    SessionState.role_label,
                    " · ",
                    SessionState.org_name,
                    size="1",
                    color="gray",
                ),
                padding_x="0.75em",
            ),
            rx.cond(
                SessionState.orgs.length() > 1,
                rx.fragment(
                    rx.menu.separator(),
                    rx.box(
                        rx.text("Switch organisation", size="1", color="gray"),
                        padding_x="0.75em",
                    ),
                    rx.foreach(
                        SessionState.orgs,
                        lambda o: rx.menu.item(
                            o["name"],
                            on_click=SessionState.switch_org(o["id"]),
                            disabled=o["id"] == SessionState.active_org,
                            class_name="menu-org",
                        ),
                    ),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item("Settings", on_click=rx.redirect(routes.SETTINGS), id="menu-settings"),
            rx.menu.item("Log out", color="red", on_click=SessionState.logout, id="menu-logout"),
        ),
    )


def compact_nav() -> rx.Component:
    """The navigation as a menu, for screens too narrow for the sidebar."""
    return rx.box(
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("menu"), variant="ghost", aria_label="Open navigation", id="nav-menu"
                )
            ),
            rx.menu.content(
                *[
                    rx.menu.item(label, on_click=rx.redirect(href)) if href else rx.menu.separator()
                    for label, href, _icon in NAV
                ]
            ),
        ),
        display=["block", "block", "none"],
    )


def global_search() -> rx.Component:
    """Search contacts, companies and deals from anywhere; results as you type."""
    from crmapp.state.crm.search import SearchState

    return rx.box(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            type="search",
            placeholder="Search contacts, companies, deals…",
            value=SearchState.query,
            on_change=SearchState.set_query.debounce(200),
            on_key_down=SearchState.open_first,
            id="global-search",
            width="100%",
            aria_label="Search",
        ),
        rx.cond(
            SearchState.hits.length() > 0,
            rx.card(
                rx.foreach(
                    SearchState.hits,
                    lambda h: rx.link(
                        rx.hstack(
                            rx.icon(h["icon"], size=14, color=rx.color("gray", 10)),
                            rx.text(h["title"], size="2", weight="medium"),
                            rx.text(h["subtitle"], size="1", color=rx.color("gray", 10)),
                            align="center",
                            padding="0.35em",
                        ),
                        href=h["href"],
                        on_click=SearchState.clear,
                        class_name="search-hit",
                        underline="none",
                        color="inherit",
                        display="block",
                        _hover={"background": rx.color("gray", 3)},
                    ),
                ),
                position="absolute",
                top="110%",
                right="0",
                width=["100%", "100%", "360px"],
                z_index="30",
                id="search-results",
            ),
        ),
        position="relative",
        # Below the title, the whole width, on narrow screens; in the bar on wide ones.
        order=["10", "10", "0"],
        flex_basis=["100%", "100%", "auto"],
        width=["100%", "100%", "300px"],
    )


def notification_bell() -> rx.Component:
    """Unread count (polled) and the newest notifications, marked read when opened."""
    n = NotificationsState
    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=16),
                    variant="ghost",
                    id="bell",
                    aria_label="Notifications",
                    title="Notifications",
                ),
                rx.cond(
                    n.unread > 0,
                    rx.badge(
                        n.unread,
                        color_scheme="red",
                        size="1",
                        variant="solid",
                        id="bell-count",
                        position="absolute",
                        top="-6px",
                        right="-8px",
                        border_radius="999px",
                    ),
                ),
                rx.moment(interval=POLL_MS, on_change=n.refresh, display="none"),
                position="relative",
                on_mount=n.refresh,
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Notifications", weight="bold", size="2"),
                rx.cond(n.items.length() == 0, rx.text("Nothing new.", size="1", color="gray")),
                rx.foreach(
                    n.items,
                    lambda item: rx.link(
                        rx.vstack(
                            rx.text(
                                item["message"],
                                size="2",
                                weight=rx.cond(item["unread"] != "", "bold", "regular"),
                            ),
                            rx.text(item["when"], size="1", color="gray"),
                            spacing="0",
                        ),
                        href=item["href"],
                        class_name="notification-item",
                        underline="none",
                    ),
                ),
                spacing="2",
                max_height="360px",
                overflow_y="auto",
                width="320px",
            ),
        ),
        on_open_change=n.open_list,
    )


def top_bar(title: str) -> rx.Component:
    """Page title, organisation switcher and user menu."""
    return rx.hstack(
        compact_nav(),
        rx.heading(
            title,
            size="6",
            id="page-title",
            flex="1",
            min_width="0",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        global_search(),
        notification_bell(),
        rx.badge(
            SessionState.role_label, variant="soft", id="role-badge", display=["none", "flex"]
        ),
        rx.box(org_switcher(), display=["none", "none", "block"]),
        user_menu(),
        align="center",
        wrap="wrap",
        spacing=rx.breakpoints(initial="2", sm="3", md="4"),
        width="100%",
        padding_y="0.75em",
        padding_x=["0.75em", "1em", "1.5em"],
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )


def app_shell(title: str, *children: rx.Component) -> rx.Component:
    """A signed-in page: sidebar, top bar, then the page's content."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            top_bar(title),
            rx.cond(
                SessionState.signed_in,
                rx.cond(
                    SessionState.active_org != "",
                    rx.el.main(
                        *children,
                        id="page-content",
                        width="100%",
                        min_width="0",
                        max_width="1200px",
                        padding=["1em", "1em", "1.5em"],
                    ),
                    rx.box(
                        rx.callout(
                            "You are not a member of any organisation any more. Ask an Admin "
                            "for a new invitation link.",
                            icon="user-x",
                            color_scheme="orange",
                            id="no-org",
                        ),
                        padding="1.5em",
                    ),
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="4em"),
            ),
            spacing="0",
            width="100%",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        align="start",
    )


def placeholder_page(title: str, icon: str, body: str) -> rx.Component:
    """A page still to come: what it will hold (`body`), and that nothing is there yet."""
    from crmapp.components.ui import empty_state

    return app_shell(
        title,
        empty_state(
            icon,
            f"{title} is on its way",
            f"{body} Nothing is collected here yet.",
        ),
    )
