"""`/social/sandbox/[account_id]`: a sandbox account's feed (nothing here left Tandem)."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state
from crmapp.state.social.sandbox import FeedComment, FeedMedia, FeedPost
from crmapp.state.social.sandbox import SandboxFeedState as S


def _figure(icon: str, value: rx.Var, label: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14),
        rx.text(value, size="1"),
        spacing="1",
        align="center",
        title=label,
        color=rx.color("gray", 11),
    )


def _comment(comment: FeedComment) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(comment.author, size="1", weight="bold"),
            rx.text(comment.when, size="1", color="gray"),
            spacing="2",
        ),
        rx.text(comment.text, size="2"),
        padding="0.5em",
        border_radius="8px",
        background=rx.color("gray", 3),
        width="100%",
        class_name="feed-comment",
    )


def _media(item: FeedMedia) -> rx.Component:
    return rx.cond(
        item.kind == "video",
        rx.el.video(
            src=item.url,
            controls=True,
            class_name="feed-picture",
            aria_label=item.alt,
            style={"width": "100%", "border_radius": "8px"},
        ),
        rx.image(
            src=item.url,
            alt=item.alt,
            class_name="feed-picture",
            width="100%",
            max_height="480px",
            object_fit="cover",
            border_radius="8px",
        ),
    )


def _post(post: FeedPost) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback="SB", size="2", radius="full"),
                rx.vstack(
                    rx.text(S.name, weight="bold", size="2"),
                    rx.text(S.handle, " · ", post.when, size="1", color="gray"),
                    spacing="0",
                ),
                align="center",
            ),
            rx.foreach(
                post.parts,
                lambda part: rx.text(
                    part,
                    white_space="pre-wrap",
                    class_name="feed-part",
                    padding_left="0.5em",
                    border_left=f"2px solid {rx.color('gray', 5)}",
                ),
            ),
            rx.cond(
                post.media.length() > 0,
                rx.grid(
                    rx.foreach(post.media, _media),
                    columns=rx.cond(post.media.length() > 1, "2", "1"),
                    spacing="2",
                    width="100%",
                    class_name="feed-media",
                ),
            ),
            rx.hstack(
                _figure("heart", post.likes, "Likes"),
                _figure("repeat-2", post.reposts, "Reposts"),
                _figure("message-circle", post.replies, "Replies"),
                _figure("eye", post.views, "Views"),
                spacing="5",
                class_name="feed-metrics",
            ),
            rx.foreach(post.comments, _comment),
            spacing="2",
            width="100%",
        ),
        id=post.id,
        class_name="feed-post",
        width="100%",
    )


def sandbox_feed_page() -> rx.Component:
    """The feed, newest first, clearly labelled as a sandbox."""
    return app_shell(
        "Sandbox feed",
        rx.vstack(
            rx.callout(
                "Sandbox feed — nothing here left Tandem. Engagement and comments are "
                "simulated and grow over time.",
                icon="flask-conical",
                color_scheme="amber",
                id="sandbox-banner",
                width="100%",
            ),
            rx.link("← Back to accounts", href=routes.SOCIAL_ACCOUNTS, size="2"),
            rx.cond(
                S.error != "",
                rx.callout(S.error, icon="triangle-alert", color_scheme="red", id="feed-error"),
                rx.cond(
                    S.posts.length() > 0,
                    rx.vstack(
                        rx.foreach(S.posts, _post), spacing="3", width="100%", id="sandbox-feed"
                    ),
                    rx.cond(
                        S.loaded,
                        empty_state(
                            "flask-conical",
                            "Nothing published here yet",
                            "Write a post in the composer, pick this sandbox account and publish "
                            "it: it appears here.",
                        ),
                    ),
                ),
            ),
            width="100%",
            max_width="640px",
            spacing="3",
        ),
    )
