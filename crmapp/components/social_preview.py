"""A live preview that looks like the network's own post (stateless: it draws a
`post_views.NetworkPreview` var)."""

from __future__ import annotations

import reflex as rx


def _segment(seg: rx.Var) -> rx.Component:
    return rx.text.span(seg.text, class_name="sp-seg sp-" + seg.kind)


def _part(part: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(rx.foreach(part.segments, _segment), class_name="sp-text", size="2"),
        rx.hstack(
            rx.text(
                part.count_text,
                size="1",
                color=rx.cond(part.fits, rx.color("gray", 10), rx.color("red", 11)),
            ),
            width="100%",
            justify="end",
        ),
        class_name="sp-part",
    )


def _thumb(src: rx.Var) -> rx.Component:
    return rx.cond(
        src == "video",
        rx.center(rx.icon("film", size=20), class_name="sp-thumb sp-video"),
        rx.image(src=src, class_name="sp-thumb", alt="Attached picture"),
    )


def preview_card(p: rx.Var) -> rx.Component:
    """One network's post as its readers would see it: avatar initial, name, handle, the text
    with links, hashtags and mentions highlighted, the media, and a thread's parts stacked."""
    return rx.box(
        rx.hstack(
            rx.box(p.initial, class_name="sp-avatar"),
            rx.vstack(
                rx.text(p.display_name, weight="bold", size="2", class_name="sp-name"),
                rx.text(p.handle, size="1", color="gray"),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.badge(
                p.label,
                variant="soft",
                size="1",  # a sandbox's label is "Sandbox"
                color_scheme=rx.cond(p.sandbox, "orange", "indigo"),
            ),
            align="center",
            width="100%",
        ),
        rx.vstack(rx.foreach(p.parts, _part), spacing="2", width="100%", class_name="sp-parts"),
        rx.cond(
            p.media.length() > 0,
            rx.box(rx.foreach(p.media, _thumb), class_name="sp-media"),
        ),
        rx.cond(
            p.link != "",
            rx.box(rx.icon("link", size=12), rx.text(p.link, size="1"), class_name="sp-linkcard"),
        ),
        rx.cond(p.thread_note != "", rx.text(p.label, " ", p.thread_note, size="1", color="gray")),
        rx.foreach(
            p.problems,
            lambda problem: rx.text(
                problem, size="1", color=rx.color("red", 11), class_name="sp-problem"
            ),
        ),
        class_name="social-preview net-" + p.network,
        id="social-preview-" + p.network,
    )


def original_card(text: rx.Var) -> rx.Component:
    """The draft as written, beside the networks' previews in review."""
    return rx.box(
        rx.hstack(
            rx.icon("file-text", size=14), rx.text("Original draft", weight="bold", size="2")
        ),
        rx.text(text, size="2", class_name="sp-text"),
        class_name="social-preview net-original",
        id="social-preview-original",
    )
