"""Pieces of the social composer: account chips, per-network counts and variants, AI assist,
the link, deal and format fields, and the per-target status list (media: `social_media`)."""

from __future__ import annotations

import reflex as rx

from crmapp.state.social.composer import ComposerState as S

SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
}


def account_chip(a: rx.Var) -> rx.Component:
    """Toggle one account (network label + handle; sandbox accounts badged)."""
    on = S.chosen.contains(a["id"])
    return rx.button(
        rx.cond(on, rx.icon("check", size=12), rx.icon("plus", size=12)),
        rx.cond(
            a["sandbox"] != "",  # the network's label says Sandbox, once
            rx.badge(a["label"], color_scheme="orange", size="1"),
            rx.text(a["label"], weight="bold", size="1"),
        ),
        rx.text(a["handle"], size="1"),
        rx.cond(
            a["status"] == "needs_reconnect",
            rx.badge("Reconnect", color_scheme="red", size="1", title=a["status_reason"]),
        ),
        variant=rx.cond(on, "solid", "outline"),
        size="1",
        radius="full",
        on_click=S.toggle_account(a["id"]),
        disabled=~S.editable,
        id="social-account-" + a["id"],
        class_name="social-account-chip",
        custom_attrs={"aria-pressed": rx.cond(on, "true", "false")},
    )


def count_row(p: rx.Var) -> rx.Component:
    """'247 / 280' for one network, red when over; its thread or an Auto-truncate button."""
    return rx.hstack(
        rx.text(p.label, size="1", weight="bold", min_width="80px"),
        rx.text(
            p.count_text,
            size="1",
            id="social-count-" + p.network,
            color=rx.cond(p.over, rx.color("red", 11), rx.color("gray", 11)),
            weight=rx.cond(p.over, "bold", "regular"),
            class_name="social-count",
        ),
        rx.cond(
            p.thread_note != "",
            rx.text(p.thread_note, size="1", color="gray", id="social-thread-" + p.network),
        ),
        rx.cond(
            p.over & ~p.threads & S.editable,
            rx.button(
                "Auto-truncate",
                size="1",
                variant="soft",
                color_scheme="amber",
                on_click=S.auto_truncate(p.network),
                id="social-truncate-" + p.network,
            ),
        ),
        rx.cond(p.has_override, rx.badge("Own text", size="1", variant="soft")),
        align="center",
        spacing="2",
        width="100%",
        wrap="wrap",
    )


def variant_tabs() -> rx.Component:
    """One tab per network of the chosen accounts, where its text can be overridden."""
    return rx.cond(
        S.previews.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.foreach(
                    S.previews,
                    lambda p: rx.button(
                        p.label,
                        size="1",
                        id="social-tab-" + p.network,
                        variant=rx.cond(S.active_network == p.network, "solid", "soft"),
                        on_click=S.pick_network(p.network),
                    ),
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.text_area(
                default_value=S.active_override,
                key=S.active_network + S.form_key.to_string(),
                placeholder="Same as the main text. Write here to post something else on "
                "this network.",
                on_change=S.set_override,
                read_only=~S.editable,
                aria_label="Text for this network",
                id="social-variant",
                rows="4",
                width="100%",
            ),
            rx.cond(
                S.active_override != "",
                rx.button(
                    "Use the main text",
                    size="1",
                    variant="ghost",
                    on_click=S.clear_override(S.active_network),
                    id="social-variant-clear",
                ),
            ),
            width="100%",
            spacing="2",
            id="social-variants",
        ),
    )


def assist_bar() -> rx.Component:
    """AI assist: caption from the text as a brief, hashtags, a thread for the open network."""

    def button(action: str, label: str, icon: str) -> rx.Component:
        return rx.button(
            rx.cond(S.assisting == action, rx.spinner(size="1"), rx.icon(icon, size=14)),
            label,
            size="1",
            variant="soft",
            color_scheme="violet",
            on_click=S.run_assist(action),
            disabled=(S.assisting != "") | ~S.editable,
            id=f"social-assist-{action}",
        )

    return rx.hstack(
        rx.text("AI assist", size="1", weight="bold", color=rx.color("gray", 11)),
        button("caption", "Caption from text", "sparkles"),
        button("hashtags", "Hashtags", "hash"),
        button("thread", "Turn into a thread", "list-ordered"),
        rx.cond(
            S.undo_label != "",
            rx.button(
                rx.icon("undo-2", size=14),
                "Undo",
                size="1",
                variant="ghost",
                on_click=S.undo_assist,
                title=S.undo_label,
                id="social-assist-undo",
            ),
        ),
        rx.cond(
            S.assist_note != "",
            rx.text(S.assist_note, size="1", color=rx.color("gray", 10), id="social-assist-note"),
        ),
        wrap="wrap",
        spacing="2",
        align="center",
        id="social-assist",
    )


def assist_suggestion() -> rx.Component:
    """The caption the assist wrote, beside the text until the author inserts, replaces or
    discards it (nothing of the text changes before that)."""
    return rx.cond(
        S.suggestion != "",
        rx.card(
            rx.vstack(
                rx.text("Suggested caption", weight="bold", size="1", color=rx.color("violet", 11)),
                rx.text(
                    S.suggestion, size="2", white_space="pre-wrap", id="social-assist-caption-text"
                ),
                rx.hstack(
                    rx.button(
                        "Insert below the text",
                        size="1",
                        on_click=S.use_suggestion("insert"),
                        disabled=~S.editable,
                    ),
                    rx.button(
                        "Replace the text",
                        size="1",
                        variant="soft",
                        on_click=S.use_suggestion("replace"),
                        disabled=~S.editable,
                    ),
                    rx.button(
                        "Discard",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=S.discard_suggestion,
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="social-assist-suggestion",
        ),
    )


def meta_fields() -> rx.Component:
    """Link, deal, contact, campaign, and the format where a chosen network offers one."""

    def on(name: str):
        return lambda value: S.set_meta(name, value)

    return rx.grid(
        rx.input(
            placeholder="Link (https://…)",
            default_value=S.link,
            on_change=on("link"),
            read_only=~S.editable,
            aria_label="Link",
            id="social-link",
            key=S.form_key,
        ),
        rx.input(
            placeholder="Campaign",
            default_value=S.campaign,
            on_change=on("campaign"),
            read_only=~S.editable,
            aria_label="Campaign",
            id="social-campaign",
            key=S.form_key,
        ),
        rx.el.select(
            rx.el.option("No deal", value=""),
            rx.foreach(S.deal_choices, lambda d: rx.el.option(d["name"], value=d["id"])),
            default_value=S.deal_id,
            key=S.form_key,
            on_change=on("deal_id"),
            disabled=~S.editable,
            aria_label="Deal",
            id="social-deal",
            style=SELECT_STYLE,
        ),
        rx.el.select(
            rx.el.option("No contact", value=""),
            rx.foreach(S.contact_choices, lambda c: rx.el.option(c["name"], value=c["id"])),
            default_value=S.contact_id,
            key=S.form_key,
            on_change=on("contact_id"),
            disabled=~S.editable,
            aria_label="Contact",
            id="social-contact",
            style=SELECT_STYLE,
        ),
        rx.cond(
            S.format_network != "",
            rx.el.select(
                rx.foreach(S.format_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                default_value=S.fmt,
                key=S.form_key,
                on_change=on("fmt"),
                disabled=~S.editable,
                aria_label="Format",
                id="social-format",
                style=SELECT_STYLE,
            ),
        ),
        columns="2",
        spacing="2",
        width="100%",
    )


def target_row(t: rx.Var) -> rx.Component:
    """One account's state, attempts, error, link, and the actions its state allows."""
    return rx.table.row(
        rx.table.cell(rx.text(t["label"], weight="bold", size="2")),
        rx.table.cell(rx.text(t["handle"], size="2")),
        rx.table.cell(
            rx.badge(t["state_label"], color_scheme=t["color"], class_name="state", variant="soft"),
            rx.cond(t["when"] != "", rx.text(t["when"], size="1", color="gray")),
        ),
        rx.table.cell(t["attempts"]),
        rx.table.cell(
            rx.text(t["last_error"], size="1", color=rx.color("red", 11)),
            rx.cond(
                t["notice"] != "",
                rx.text(
                    t["notice"],
                    size="1",
                    color=rx.color("amber", 11),
                    class_name="social-target-notice",
                ),
            ),
        ),
        rx.table.cell(
            rx.cond(
                t["remote_url"] != "",
                rx.link("View post", href=t["remote_url"], is_external=True, size="2"),
            ),
            rx.cond(
                (t["state"] == "unknown") & S.can_write,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="remote_url",
                            placeholder="Link (optional)",
                            size="1",
                            id="social-remote-url-" + t["account_id"],
                        ),
                        rx.button(
                            "It's there — mark published",
                            size="1",
                            type="submit",
                            color_scheme="green",
                            id="social-mark-published-" + t["account_id"],
                        ),
                        rx.button(
                            "Not there — publish again",
                            size="1",
                            type="button",
                            variant="soft",
                            on_click=S.publish_again(t["id"]),
                            id="social-publish-again-" + t["account_id"],
                        ),
                        wrap="wrap",
                        spacing="1",
                    ),
                    on_submit=lambda form: S.mark_published(t["id"], form),
                ),
            ),
            rx.cond(
                (t["state"] == "failed") & S.can_write,
                rx.button(
                    "Retry", size="1", on_click=S.retry, id="social-retry-" + t["account_id"]
                ),
            ),
        ),
        id="social-target-" + t["account_id"],
        class_name="social-target",
        custom_attrs={"data-state": t["state"]},
    )


def status_list() -> rx.Component:
    """Every target of a saved post (refreshed while something is scheduled or publishing)."""
    return rx.cond(
        S.targets.length() > 0,
        rx.card(
            rx.hstack(
                rx.text("Where it goes", weight="bold", size="2"),
                rx.spacer(),
                rx.cond(
                    S.polling, rx.hstack(rx.spinner(size="1"), rx.text("Updating live", size="1"))
                ),
                width="100%",
            ),
            rx.cond(S.polling, rx.moment(interval=5000, on_change=S.refresh, display="none")),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Network", "Account", "State", "Attempts", "Details", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.targets, target_row)),
                width="100%",
                size="1",
            ),
            width="100%",
            id="social-status",
        ),
    )
