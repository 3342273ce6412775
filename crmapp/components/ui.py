"""Small building blocks: form fields with errors, empty states, pagers."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.services.platform import wording


def label(*text: rx.Component | rx.Var | str, for_id: rx.Var | str, **props) -> rx.Component:
    """A `<label for=…>` bound to the control with id `for_id` (screen readers read it out and
    clicking it focuses the control). `rx.text(as_="label", html_for=…)` does not bind: Text has
    no such prop, so Reflex turns it into a CSS property."""
    props.setdefault("size", "2")
    props.setdefault("weight", "medium")
    return rx.el.label(rx.text(*text, as_="span", **props), html_for=for_id)


def field(label_text: str, name: str, error: rx.Var | str = "", **input_props) -> rx.Component:
    """A labelled input with its validation message underneath."""
    input_props.setdefault("id", name)
    dom_id = input_props["id"]
    return rx.vstack(
        label(label_text, for_id=dom_id),
        rx.input(
            name=name,
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{dom_id}-error",
            **input_props,
        ),
        rx.cond(
            error != "",
            rx.text(
                error,
                size="1",
                color=rx.color("red", 11),
                id=f"{input_props['id']}-error",
            ),
        ),
        spacing="1",
        width="100%",
        align="start",
    )


def zone_field(state: Any, error: rx.Var | str = "") -> rx.Component:
    """The time zone of a new account: what the browser says, editable, from the IANA list (the
    server refuses anything else)."""
    from crmapp.services.platform.timefmt import zones

    guess = rx.cond(state.browser_zone != "", state.browser_zone, "UTC")
    return rx.vstack(
        field(
            "Time zone",
            "timezone",
            error,
            default_value=guess,
            key=guess,
            auto_complete="off",
            spell_check=False,
            custom_attrs={"list": "timezone-choices"},
        ),
        rx.el.datalist(*[rx.el.option(value=z) for z in sorted(zones())], id="timezone-choices"),
        rx.text("Times in Tandem are shown in this zone.", size="1", color=rx.color("gray", 10)),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var, id: str = "form-error") -> rx.Component:
    """A red callout for an error that belongs to the whole form."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", id=id, width="100%"),
    )


def no_access(message: str) -> rx.Component:
    """What a page says to a role that may not use it: calmly, who may, and nothing to click."""
    return rx.callout(message, icon="lock", color_scheme="gray", id="no-access", width="100%")


def empty_state(icon: str, title: str, text: str, action: rx.Component | None = None):
    """What an empty list shows: what it is for and what to do next."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.heading(title, size="4"),
            rx.text(text, color=rx.color("gray", 11), text_align="center", max_width="440px"),
            *([action] if action is not None else []),
            align="center",
            spacing="3",
        ),
        padding="3em",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        width="100%",
    )


def counted(count: rx.Var, noun: str, many: str | None = None) -> rx.Component:
    """`1 company` / `3 companies` for a count known only in the browser (words from
    `services.platform.wording`, the one pluralising helper)."""
    return rx.fragment(
        count, rx.cond(count == 1, f" {noun}", f" {wording.noun_for(2, noun, many)}")
    )


def pager(page: rx.Var, pages: rx.Var, total: rx.Var, on_prev, on_next, noun: str, one: str = ""):
    """Previous / next with 'N items · page X of Y'; `noun` is the plural ("companies"), `one`
    the singular where `services.platform.wording` cannot derive it."""
    return rx.hstack(
        rx.text(
            counted(total, one or wording.singular_of(noun), noun),
            " · page ",
            page,
            " of ",
            pages,
            size="2",
            color="gray",
        ),
        rx.spacer(),
        rx.button(
            "Previous",
            variant="soft",
            on_click=on_prev,
            disabled=page <= 1,
            id=f"{noun}-prev",
        ),
        rx.button(
            "Next",
            variant="soft",
            on_click=on_next,
            disabled=page >= pages,
            id=f"{noun}-next",
        ),
        width="100%",
        align="center",
    )
