"""The composer's side column: the network previews and the review comments."""

from __future__ import annotations

import reflex as rx

from crmapp.components.social_parts import (
    SELECT_STYLE,
)
from crmapp.components.social_preview import original_card, preview_card
from crmapp.state.social.composer import ComposerState as S


def comment_item(c: rx.Var) -> rx.Component:
    """One comment."""
    return rx.box(
        rx.hstack(
            rx.text(c["author"], weight="bold", size="1"),
            rx.cond(c["network"] != "", rx.badge(c["network"], size="1", variant="soft")),
            rx.text(c["when"], size="1", color="gray"),
            spacing="2",
        ),
        rx.text(c["body"], size="2", white_space="pre-wrap"),
        class_name="social-comment",
    )


def comments() -> rx.Component:
    """The post's comments thread and a form (whole post or one network)."""
    return rx.cond(
        ~S.is_new,
        rx.card(
            rx.text("Comments", weight="bold", size="2"),
            rx.foreach(S.comments, comment_item),
            rx.cond(S.comments.length() == 0, rx.text("No comments yet.", size="1", color="gray")),
            rx.cond(
                S.can_comment,
                rx.form(
                    rx.vstack(
                        rx.el.select(
                            rx.el.option("Whole post", value=""),
                            rx.foreach(
                                S.previews, lambda p: rx.el.option(p.label, value=p.network)
                            ),
                            name="network",
                            aria_label="Comment on",
                            id="social-comment-network",
                            style=SELECT_STYLE,
                        ),
                        rx.text_area(
                            name="body",
                            placeholder="Write a comment",
                            rows="2",
                            width="100%",
                            aria_label="Comment",
                            id="social-comment-body",
                        ),
                        rx.button("Comment", type="submit", size="1", id="social-comment-send"),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=S.add_comment,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            width="100%",
            id="social-comments",
        ),
    )


def previews() -> rx.Component:
    """Every network's preview (beside the original draft while in review)."""
    return rx.cond(
        S.previews.length() == 0,
        rx.text("Choose an account to see how the post will look.", size="2", color="gray"),
        rx.cond(
            S.in_review & S.can_approve,
            rx.box(
                original_card(S.text),
                rx.foreach(S.previews, preview_card),
                class_name="social-review-grid",
                id="social-review-previews",
            ),
            rx.vstack(
                rx.foreach(S.previews, preview_card),
                width="100%",
                spacing="3",
                id="social-previews",
            ),
        ),
    )
