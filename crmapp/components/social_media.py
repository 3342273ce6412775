"""The composer's media panel: upload, pick from the library, the attached files, and the crops
for the network with a choice of format."""

from __future__ import annotations

import reflex as rx

from crmapp.state.social.composer import ComposerState as S
from crmapp.state.social.composer_media import UPLOAD_ID


def _media_item(m: rx.Var) -> rx.Component:
    return rx.box(
        rx.cond(
            m["thumb"] != "",
            rx.image(src=m["thumb"], class_name="sp-thumb"),
            rx.center(rx.icon("film", size=20), class_name="sp-thumb sp-video"),
        ),
        rx.text(m["filename"], size="1", class_name="media-name"),
        rx.cond(
            S.editable,
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                on_click=S.remove_media(m["id"]),
                aria_label="Remove from the post",
            ),
        ),
        class_name="media-item",
        id="social-media-" + m["id"],
    )


def _library_item(m: rx.Var) -> rx.Component:
    return rx.box(
        rx.cond(
            m["thumb"] != "",
            rx.image(src=m["thumb"], class_name="sp-thumb"),
            rx.center(rx.icon("film", size=20), class_name="sp-thumb sp-video"),
        ),
        rx.text(m["filename"], size="1", class_name="media-name"),
        on_click=S.pick_media(m["id"]),
        class_name="media-item media-pick",
        id="social-library-" + m["id"],
        cursor="pointer",
    )


def _crop_item(c: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.image(src=c["preview"], class_name="crop-preview", alt="Crop preview"),
        rx.text(c["filename"], " · ", c["format"], size="1"),
        rx.cond(
            c["fits"] != "",
            rx.badge("Fits ", S.format_label, color_scheme="green", size="1"),
            rx.cond(
                c["applied"] != "",
                rx.badge("Crop applied", color_scheme="green", size="1"),
                rx.button(
                    "Apply crop",
                    size="1",
                    on_click=S.apply_crop(c["id"]),
                    disabled=~S.editable,
                    id="social-crop-" + c["id"],
                ),
            ),
        ),
        spacing="1",
        class_name="crop-item",
    )


def media_panel() -> rx.Component:
    """Upload, pick from the library, attached files, crops for the network with formats."""
    return rx.vstack(
        rx.hstack(
            rx.text("Media", weight="bold", size="2"),
            rx.spacer(),
            rx.cond(
                S.editable,
                rx.popover.root(
                    rx.popover.trigger(
                        rx.button(
                            rx.icon("images", size=14),
                            "From library",
                            size="1",
                            variant="soft",
                            on_click=S.open_library,
                            id="social-library-open",
                        )
                    ),
                    rx.popover.content(
                        rx.vstack(
                            rx.cond(
                                S.library_items.length() == 0,
                                rx.text("The library is empty: upload a file.", size="1"),
                            ),
                            rx.box(
                                rx.foreach(S.library_items, _library_item), class_name="media-grid"
                            ),
                            max_height="360px",
                            overflow_y="auto",
                            width="340px",
                        )
                    ),
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            S.editable,
            rx.upload(
                rx.hstack(
                    rx.icon("image-up", size=18),
                    rx.text(
                        "Drop images or videos here, or click to choose (JPEG, PNG, GIF, WebP; "
                        "MP4, MOV).",
                        size="1",
                    ),
                    align="center",
                ),
                id=UPLOAD_ID,
                multiple=True,
                accept={
                    "image/*": [".jpg", ".jpeg", ".png", ".gif", ".webp"],
                    "video/*": [".mp4", ".mov"],
                },
                on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                class_name="social-upload",
                width="100%",
                padding="0.75em",
            ),
        ),
        rx.cond(
            S.media_error != "",
            rx.text(S.media_error, size="1", color=rx.color("red", 11), id="social-media-error"),
        ),
        rx.box(rx.foreach(S.media, _media_item), class_name="media-grid", id="social-media"),
        rx.cond(
            S.crops.length() > 0,
            rx.vstack(
                rx.text(S.format_label, " crop", weight="bold", size="1"),
                rx.hstack(rx.foreach(S.crops, _crop_item), wrap="wrap"),
                id="social-crops",
                width="100%",
            ),
        ),
        width="100%",
        spacing="2",
    )
