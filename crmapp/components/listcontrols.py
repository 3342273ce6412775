"""The controls above a record list: saved views, filter builder and chips, the bulk bar."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.components.ui import counted


def views(state: Any, entity: str) -> rx.Component:
    """The saved-views picker, "Save view" popover, and delete for the view shown."""
    return rx.hstack(
        rx.el.select(
            rx.el.option("All records", value="-"),
            rx.foreach(
                state.views,
                lambda v: rx.el.option(
                    v["name"], rx.cond(v["shared"] == "1", " (shared)", ""), value=v["id"]
                ),
            ),
            value=rx.cond(state.active_view != "", state.active_view, "-"),
            on_change=state.apply_view,
            id=f"{entity}-views",
            class_name="tandem-select",
            aria_label="Saved views",
        ),
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("bookmark-plus", size=14),
                    "Save view",
                    variant="soft",
                    size="2",
                    id=f"{entity}-save-view",
                )
            ),
            rx.popover.content(
                rx.form(
                    rx.vstack(
                        rx.input(
                            placeholder="View name",
                            name="name",
                            id=f"{entity}-view-name",
                            max_length=80,
                            auto_focus=True,
                        ),
                        rx.checkbox("Share with the team", name="shared"),
                        rx.button("Save", type="submit", id=f"{entity}-view-save"),
                        spacing="2",
                    ),
                    on_submit=state.save_view,
                    reset_on_submit=True,
                ),
            ),
            open=state.view_popover_open,
            on_open_change=state.set_view_popover_open,
        ),
        rx.cond(
            state.active_view != "",
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                on_click=state.delete_view,
                aria_label="Delete this view",
            ),
        ),
        align="center",
        spacing="2",
    )


def filter_builder(state: Any, entity: str) -> rx.Component:
    """Field, operator and value; Add filter applies it."""
    return rx.form(
        rx.hstack(
            rx.el.select(
                rx.foreach(state.columns, lambda c: rx.el.option(c["label"], value=c["key"])),
                value=state.filter_field,
                on_change=state.set_filter_field,
                id=f"{entity}-filter-field",
                class_name="tandem-select",
                aria_label="Filter field",
            ),
            rx.el.select(
                rx.foreach(state.filter_ops, lambda o: rx.el.option(o[1], value=o[0])),
                value=state.filter_op,
                on_change=state.set_filter_op,
                id=f"{entity}-filter-op",
                class_name="tandem-select",
                aria_label="Filter operator",
            ),
            rx.cond(
                state.filter_op != "empty",
                rx.cond(
                    state.filter_options.length() > 0,
                    rx.el.select(
                        rx.el.option("Choose…", value=""),
                        rx.foreach(state.filter_options, lambda o: rx.el.option(o[1], value=o[0])),
                        name="value",
                        id=f"{entity}-filter-value-select",
                        class_name="tandem-select",
                        aria_label="Filter value",
                    ),
                    rx.input(
                        name="value",
                        type=state.filter_input_type,
                        placeholder="Value",
                        aria_label="Filter value",
                        id=f"{entity}-filter-value",
                        key=state.filter_field,
                    ),
                ),
            ),
            rx.button(
                rx.icon("filter", size=14),
                "Add filter",
                variant="soft",
                type="submit",
                id=f"{entity}-add-filter",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        on_submit=state.add_filter,
        reset_on_submit=True,
    )


def chips(state: Any) -> rx.Component:
    """The filters applied, each removable, and Clear all."""
    return rx.cond(
        state.filters.length() > 0,
        rx.hstack(
            rx.foreach(
                state.filters,
                lambda f, i: rx.badge(
                    f["label"],
                    rx.icon_button(
                        rx.icon("x", size=12),
                        size="1",
                        variant="ghost",
                        on_click=state.remove_filter(i),
                        aria_label="Remove filter",
                    ),
                    variant="soft",
                    size="2",
                    class_name="filter-chip",
                ),
            ),
            rx.button("Clear all", variant="ghost", size="1", on_click=state.clear_filters),
            wrap="wrap",
            align="center",
        ),
    )


def bulk_bar(state: Any, entity: str) -> rx.Component:
    """What to do with the ticked rows (or every row matching)."""
    return rx.cond(
        state.selection_count > 0,
        rx.hstack(
            rx.text(state.selection_count, " selected", weight="medium", id=f"{entity}-selected"),
            rx.cond(
                ~state.all_matching & state.page_all_selected & (state.total > state.rows.length()),
                rx.button(
                    "Select all ",
                    state.total,
                    " matching",
                    variant="ghost",
                    size="1",
                    on_click=state.select_all_matching,
                    id=f"{entity}-select-all",
                ),
            ),
            rx.el.select(
                rx.el.option("Assign owner…", value=""),
                rx.foreach(state.members, lambda m: rx.el.option(m["name"], value=m["id"])),
                value=state.bulk_owner,
                on_change=state.set_bulk_owner,
                class_name="tandem-select",
                id=f"{entity}-bulk-owner",
                aria_label="New owner",
            ),
            rx.button(
                "Assign",
                size="1",
                variant="soft",
                on_click=state.run_bulk("assign_owner"),
                disabled=state.bulk_owner == "",
                id=f"{entity}-bulk-assign",
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        placeholder="Tag",
                        name="tag",
                        size="1",
                        width="120px",
                        id=f"{entity}-bulk-tag",
                        max_length=40,
                    ),
                    rx.button(
                        "Add tag",
                        size="1",
                        variant="soft",
                        type="submit",
                        id=f"{entity}-bulk-tag-add",
                    ),
                    spacing="2",
                ),
                on_submit=state.bulk_tag_submit,
                reset_on_submit=True,
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button(
                        "Delete",
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        disabled=~state.perms.contains("record.delete"),
                        id=f"{entity}-bulk-delete",
                    )
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete ", counted(state.selection_count, "record"), "?"),
                    rx.alert_dialog.description(
                        "They move to the trash; Admins can restore them for 30 days."
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                        rx.alert_dialog.action(
                            rx.button(
                                "Delete",
                                color_scheme="red",
                                id=f"{entity}-bulk-confirm",
                                on_click=state.run_bulk("delete"),
                            )
                        ),
                        justify="end",
                    ),
                ),
            ),
            rx.button("Clear", size="1", variant="ghost", on_click=state.clear_selection),
            align="center",
            spacing="2",
            wrap="wrap",
            padding="8px",
            border_radius="8px",
            background=rx.color("accent", 3),
            width="100%",
        ),
    )
