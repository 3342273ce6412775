"""The record list: search, saved views, filter builder, sortable columns, bulk bar, inline edit.

Driven by any state using `crmapp.state.lists.ListMixin`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.components.ui import pager


def _views(state: Any, entity: str) -> rx.Component:
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


def _filter_builder(state: Any, entity: str) -> rx.Component:
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


def _chips(state: Any) -> rx.Component:
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


def _bulk_bar(state: Any, entity: str) -> rx.Component:
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
                    rx.alert_dialog.title("Delete ", state.selection_count, " record(s)?"),
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


def _header(state: Any, column: rx.Var) -> rx.Component:
    return rx.table.column_header_cell(
        rx.button(
            column["label"],
            rx.cond(
                state.sort == column["key"],
                rx.cond(state.desc, rx.icon("arrow-down", size=12), rx.icon("arrow-up", size=12)),
            ),
            variant="ghost",
            size="1",
            on_click=state.sort_by(column["key"]),
            class_name="sort-header",
        ),
        white_space="nowrap",
    )


def _option(value: rx.Var) -> rx.Component:
    return rx.el.option(value, value=value)


def _ref_option(item: rx.Var) -> rx.Component:
    return rx.el.option(item["name"], value=item["id"])


def _editor(state: Any, column: rx.Var) -> rx.Component:
    def choice(items: rx.Component) -> rx.Component:
        return rx.hstack(
            rx.el.select(
                rx.el.option("—", value=""),
                items,
                value=state.edit_value,
                on_change=state.pick_edit_value,
                class_name="tandem-select cell-editor",
                auto_focus=True,
            ),
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                on_click=state.cancel_edit,
                aria_label="Cancel",
            ),
            align="center",
            spacing="1",
        )

    return rx.vstack(
        rx.match(
            column["kind"],
            ("select", choice(rx.foreach(column["options"].to(str).split("|"), _option))),
            ("user", choice(rx.foreach(state.members, _ref_option))),
            ("stage", choice(rx.foreach(state.stage_choices, _ref_option))),
            rx.form(
                rx.input(
                    name="value",
                    default_value=state.edit_value,
                    on_key_down=state.edit_keydown,
                    on_blur=state.blur_edit,
                    auto_focus=True,
                    size="1",
                    type=rx.cond(column["kind"] == "date", "date", "text"),
                    class_name="cell-editor",
                ),
                on_submit=state.submit_edit,
                reset_on_submit=False,
            ),
        ),
        rx.cond(
            state.edit_error != "",
            rx.text(state.edit_error, size="1", color=rx.color("red", 11), class_name="cell-error"),
        ),
        spacing="1",
    )


def _cell(state: Any, row: rx.Var, column: rx.Var, first_key: str, entity: str) -> rx.Component:
    editing = (state.edit_row == row["id"]) & (state.edit_key == column["key"])
    return rx.table.cell(
        rx.cond(
            column["key"] == first_key,
            rx.link(row["label"], href=row["href"], class_name=f"{entity}-name"),
            rx.cond(
                editing,
                _editor(state, column),
                rx.box(
                    row[column["key"]],
                    on_click=state.start_edit(row["id"], column["key"]),
                    cursor=rx.cond(
                        (column["inline"] == "1") & state.perms.contains("record.update"),
                        "text",
                        "default",
                    ),
                    min_height="1.4em",
                    min_width="3em",
                    class_name="cell",
                    data_key=column["key"],
                ),
            ),
        ),
        max_width="260px",
        overflow="hidden",
        text_overflow="ellipsis",
    )


def record_table(state: Any, entity: str, first_key: str, row_actions=None) -> rx.Component:
    """The table itself, with a select box per row."""
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=state.page_all_selected,
                            on_change=state.toggle_page,
                            aria_label="Select page",
                        ),
                        width="32px",
                    ),
                    rx.foreach(state.columns, lambda c: _header(state, c)),
                    *([rx.table.column_header_cell("")] if row_actions else []),
                )
            ),
            rx.table.body(
                rx.foreach(
                    state.rows,
                    lambda row: rx.table.row(
                        rx.table.cell(
                            rx.checkbox(
                                checked=state.selected.contains(row["id"]) | state.all_matching,
                                on_change=lambda v: state.toggle_row(row["id"], v),
                                class_name="row-select",
                            )
                        ),
                        rx.foreach(
                            state.columns, lambda c: _cell(state, row, c, first_key, entity)
                        ),
                        *([rx.table.cell(row_actions(row))] if row_actions else []),
                        class_name=f"{entity}-row",
                    ),
                )
            ),
            width="100%",
            id=f"{entity}-table",
            size="1",
        ),
        overflow_x="auto",
        width="100%",
    )


def list_view(
    state: Any,
    entity: str,
    *,
    noun_plural: str,
    first_key: str,
    empty: rx.Component,
    toolbar: list[rx.Component] | None = None,
    row_actions=None,
) -> rx.Component:
    """Everything between the page title and the end of the list."""
    return rx.vstack(
        rx.hstack(
            rx.input(
                placeholder="Search…",
                value=state.search,
                on_change=state.set_search.debounce(250),
                id=f"{entity}-search",
                width="260px",
            ),
            _views(state, entity),
            rx.spacer(),
            rx.button(
                rx.icon("download", size=16),
                "Export CSV",
                variant="soft",
                on_click=state.export_csv,
                id=f"export-{noun_plural}",
            ),
            *(toolbar or []),
            width="100%",
            wrap="wrap",
            align="center",
        ),
        _filter_builder(state, entity),
        _chips(state),
        rx.cond(
            state.list_error != "",
            rx.callout(state.list_error, icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        _bulk_bar(state, entity),
        rx.cond(
            state.total == 0,
            rx.cond(
                (state.filters.length() > 0) | (state.search != ""),
                rx.center(
                    rx.text("Nothing matches these filters.", color="gray"),
                    padding="2em",
                    width="100%",
                    id=f"{entity}-no-matches",
                ),
                empty,
            ),
            rx.vstack(
                record_table(state, entity, first_key, row_actions),
                pager(
                    state.page,
                    state.pages,
                    state.total,
                    state.prev_page,
                    state.next_page,
                    noun_plural,
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
