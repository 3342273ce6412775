"""Trash page."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, form_error, no_access
from crmapp.state.crm.trash import TrashState


def trash_page() -> rx.Component:
    """Deleted records with Restore, until they are purged after 30 days."""
    return app_shell(
        "Trash",
        rx.vstack(
            rx.text(
                "Deleted contacts, companies and deals can be restored from here; they are"
                " purged automatically after 30 days.",
                size="2",
                color=rx.color("gray", 11),
            ),
            form_error(TrashState.error, id="trash-error"),
            rx.cond(
                ~TrashState.can_restore,
                no_access(
                    "Restoring deleted records is for Admins and Owners. Ask one of them to "
                    "bring a record back."
                ),
                rx.cond(
                    TrashState.items.length() == 0,
                    empty_state("trash-2", "The trash is empty", "Deleted records appear here."),
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("Record", "Type", "Deleted", "Kept until", "")
                                ]
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                TrashState.items,
                                lambda i: rx.table.row(
                                    rx.table.cell(i["label"], class_name="trash-label"),
                                    rx.table.cell(rx.badge(i["type"])),
                                    rx.table.cell(i["deleted"]),
                                    rx.table.cell(i["purge"]),
                                    rx.table.cell(
                                        rx.button(
                                            "Restore",
                                            size="1",
                                            variant="soft",
                                            class_name="trash-restore",
                                            on_click=TrashState.restore(i["type"], i["id"]),
                                        )
                                    ),
                                ),
                            )
                        ),
                        width="100%",
                        id="trash-table",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
