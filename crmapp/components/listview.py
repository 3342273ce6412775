"""The record list: search, saved views, filter builder, sortable columns, bulk bar, inline edit.

Driven by any state using `crmapp.state.crm.list_views.ListMixin`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp.components.listcontrols import bulk_bar, chips, filter_builder, views
from crmapp.components.ui import pager


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


def _option(choice: rx.Var) -> rx.Component:
    return rx.el.option(choice[1], value=choice[0])


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
            ("select", choice(rx.foreach(state.choices[column["key"]], _option))),
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
                    rx.cond(  # ticking rows only serves the bulk actions, which write
                        state.can_write,
                        rx.table.column_header_cell(
                            rx.checkbox(
                                checked=state.page_all_selected,
                                on_change=state.toggle_page,
                                aria_label="Select page",
                            ),
                            width="32px",
                        ),
                    ),
                    rx.foreach(state.columns, lambda c: _header(state, c)),
                    *([rx.table.column_header_cell("")] if row_actions else []),
                )
            ),
            rx.table.body(
                rx.foreach(
                    state.rows,
                    lambda row: rx.table.row(
                        rx.cond(
                            state.can_write,
                            rx.table.cell(
                                rx.checkbox(
                                    checked=state.selected.contains(row["id"]) | state.all_matching,
                                    on_change=lambda v: state.toggle_row(row["id"], v),
                                    class_name="row-select",
                                    aria_label="Select " + row["label"].to(str),
                                )
                            ),
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
                aria_label="Search this list",
                width=["100%", "260px"],
            ),
            views(state, entity),
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
        filter_builder(state, entity),
        chips(state),
        rx.cond(
            state.list_error != "",
            rx.callout(state.list_error, icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        bulk_bar(state, entity),
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
