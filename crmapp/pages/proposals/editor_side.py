"""The editor's side panel: the deal's context, sources, versions, sharing and views."""

from __future__ import annotations

import reflex as rx

from crmapp.state.proposals.editor import ProposalState as S


def share_box() -> rx.Component:
    """The link just created, to copy."""
    return rx.cond(
        S.share_url != "",
        rx.callout(
            rx.hstack(
                rx.text("Public link: ", rx.code(S.share_url, id="share-url")),
                rx.icon_button(
                    rx.icon("copy", size=14),
                    size="1",
                    variant="ghost",
                    on_click=rx.set_clipboard(S.share_url),
                    aria_label="Copy link",
                ),
                align="center",
            ),
            icon="link",
            color_scheme="blue",
            width="100%",
        ),
    )


def side_panel() -> rx.Component:
    """Tone, upsell, sources, versions, links and views, signature."""
    d = S.doc
    return rx.vstack(
        rx.cond(
            d["tone_score"] != "",
            rx.card(
                rx.text("Tone", weight="bold", size="2"),
                rx.heading(d["tone_score"], "/100", size="6", id="tone-score"),
                rx.text(d["tone_label"], size="1", color="gray"),
                rx.cond(
                    d["upsell"] != "",
                    rx.callout(
                        d["upsell"], icon="trending-up", size="1", id="upsell", margin_top="0.5em"
                    ),
                ),
                width="100%",
            ),
        ),
        rx.card(
            rx.text("Sources used", weight="bold", size="2"),
            rx.cond(
                S.sources.length() == 0,
                rx.text("Write a draft to see what it was built from.", size="1", color="gray"),
            ),
            rx.foreach(
                S.sources,
                lambda s: rx.hstack(
                    rx.badge(s["kind"], size="1", variant="soft"),
                    rx.cond(
                        s["kind"] == "passage",
                        rx.button(
                            s["label"],
                            size="1",
                            variant="ghost",
                            on_click=S.show_source(s["index"]),
                            class_name="source-passage",
                            white_space="normal",
                            text_align="left",
                            height="auto",
                        ),
                        rx.link(s["label"], href=s["href"], size="1"),
                    ),
                    align="center",
                    class_name="source-item",
                ),
            ),
            rx.cond(
                S.open_source.contains("text"),
                rx.box(
                    rx.text(S.open_source["label"], weight="bold", size="1"),
                    rx.text(S.open_source["text"], size="1", white_space="pre-wrap"),
                    id="source-text",
                    role="region",
                    aria_label="Passage text",
                    padding="0.5em",
                    border_left=f"3px solid {rx.color('accent', 7)}",
                    background=rx.color("gray", 2),
                    max_height="320px",
                    overflow_y="auto",
                ),
            ),
            rx.cond(
                d["provider"] != "",
                rx.text("Written by: ", d["provider"], size="1", color="gray", id="written-by"),
            ),
            width="100%",
            id="sources",
        ),
        rx.cond(
            S.signature.contains("name"),
            rx.card(
                rx.text("Signature", weight="bold", size="2"),
                rx.text(S.signature["name"], " ", S.signature["email"], size="2", id="signed-by"),
                rx.text(S.signature["when"], " · v", S.signature["version"], size="1"),
                rx.text(
                    "SHA-256 ", rx.code(S.signature["sha256"]), size="1", word_break="break-all"
                ),
                width="100%",
            ),
        ),
        rx.card(
            rx.text("Links and views", weight="bold", size="2"),
            rx.foreach(
                S.links,
                lambda link: rx.hstack(
                    rx.text(
                        link["created"],
                        " · expires ",
                        link["expires"],
                        " · viewed ",
                        link["viewed"],
                        size="1",
                    ),
                    rx.badge(link["state"], size="1"),
                    rx.cond(
                        (link["state"] == "active") & S.can_write,
                        rx.button(
                            "Revoke",
                            size="1",
                            variant="ghost",
                            color_scheme="red",
                            on_click=S.revoke_link(link["id"]),
                        ),
                    ),
                    class_name="link-item",
                    align="center",
                    wrap="wrap",
                ),
            ),
            rx.foreach(
                S.views,
                lambda v: rx.text(
                    v["when"],
                    " · ",
                    v["client"],
                    " · ",
                    v["duration"],
                    " · ip#",
                    v["ip"],
                    size="1",
                    class_name="view-item",
                ),
            ),
            rx.cond(S.links.length() == 0, rx.text("Not sent yet.", size="1", color="gray")),
            width="100%",
            id="links",
        ),
        rx.card(
            rx.text("Versions", weight="bold", size="2"),
            rx.foreach(
                S.versions,
                lambda v: rx.hstack(
                    rx.text("v", v["number"], " · ", v["reason"], " · ", v["when"], size="1"),
                    rx.spacer(),
                    rx.cond(
                        S.editable,
                        rx.button(
                            "Restore",
                            size="1",
                            variant="ghost",
                            on_click=S.restore_version(v["number"]),
                        ),
                    ),
                    class_name="version-item",
                    width="100%",
                    align="center",
                ),
            ),
            width="100%",
            id="versions",
            max_height="320px",
            overflow_y="auto",
        ),
        width=["100%", "100%", "320px"],
        min_width=["0", "0", "280px"],
        spacing="3",
    )
