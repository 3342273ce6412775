"""Import contacts, companies or deals from CSV."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.components.ui import counted, form_error, no_access
from crmapp.state.crm.imports import UPLOAD_ID, ImportState


def upload_step() -> rx.Component:
    """Choose what to import, then pick or drop a file."""
    return rx.vstack(
        rx.segmented_control.root(
            rx.segmented_control.item("Contacts", value="contact"),
            rx.segmented_control.item("Companies", value="company"),
            rx.segmented_control.item("Deals", value="deal"),
            value=ImportState.entity,
            on_change=ImportState.set_entity,
            id="import-entity",
        ),
        rx.match(
            ImportState.entity,
            (
                "company",
                rx.text(
                    "Companies are matched to existing ones on their domain.",
                    size="2",
                    color="gray",
                ),
            ),
            (
                "deal",
                rx.text(
                    "Deals go in the default pipeline; a Stage column picks the stage "
                    "by name. Company and contact email columns link them.",
                    size="2",
                    color="gray",
                ),
            ),
            rx.text(
                "Contacts are matched to existing ones on their email; a Company column "
                "finds or creates the company.",
                size="2",
                color="gray",
            ),
        ),
        upload_box(),
        width="100%",
        spacing="3",
    )


def upload_box() -> rx.Component:
    """The drop zone."""
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=32, color=rx.color("accent", 9)),
            rx.text("Drop a CSV file here, or click to choose one."),
            rx.text(
                "First row: column names. UTF-8 (Windows-1252 and Latin-1 are recognised). "
                "Up to 50 MB.",
                size="1",
                color="gray",
            ),
            align="center",
            spacing="2",
        ),
        id=UPLOAD_ID,
        accept={"text/csv": [".csv"], "text/plain": [".txt"]},
        max_files=1,
        on_drop=ImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="3em",
        width="100%",
        cursor="pointer",
    )


def encoding_choice() -> rx.Component:
    """The text encoding the file is read in (detected; the user may change it)."""
    return rx.vstack(
        rx.hstack(
            rx.el.label("Text encoding", html_for="import-encoding", class_name="rt-Text"),
            rx.select.root(
                rx.select.trigger(id="import-encoding", aria_label="Text encoding"),
                rx.select.content(
                    rx.foreach(ImportState.encodings, lambda e: rx.select.item(e[1], value=e[0]))
                ),
                value=ImportState.encoding,
                on_change=ImportState.set_encoding,
            ),
            align="center",
            spacing="3",
        ),
        rx.cond(
            ImportState.encoding_note != "",
            rx.callout(
                ImportState.encoding_note, icon="info", color_scheme="amber", id="encoding-note"
            ),
        ),
        spacing="2",
        width="100%",
    )


def mapping_step() -> rx.Component:
    """Column → field, a preview of the first rows, and the dedupe policy."""
    return rx.vstack(
        rx.text(
            ImportState.filename,
            " · ",
            counted(ImportState.total_rows, "row"),
            weight="medium",
            id="import-summary",
        ),
        encoding_choice(),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.foreach(ImportState.headers, lambda h: rx.table.column_header_cell(h))
                    ),
                    rx.table.row(
                        rx.foreach(
                            ImportState.headers,
                            lambda _h, i: rx.table.cell(
                                rx.select.root(
                                    rx.select.trigger(class_name="map-select", width="100%"),
                                    rx.select.content(
                                        rx.foreach(
                                            ImportState.targets,
                                            lambda t: rx.select.item(t[1], value=t[0]),
                                        )
                                    ),
                                    value=ImportState.mapping[i],
                                    on_change=lambda v: ImportState.set_column(i, v),
                                )
                            ),
                        )
                    ),
                ),
                rx.table.body(
                    rx.foreach(
                        ImportState.preview_rows,
                        lambda row: rx.table.row(rx.foreach(row, lambda cell: rx.table.cell(cell))),
                    )
                ),
                width="100%",
                id="import-preview",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(
            ImportState.policy_choices.length() > 0,
            rx.vstack(
                rx.text("When a row matches an existing record:", weight="medium"),
                rx.radio_group.root(
                    rx.vstack(
                        rx.foreach(
                            ImportState.policy_choices,
                            lambda p: rx.radio_group.item(p[1], value=p[0], id="policy-" + p[0]),
                        )
                    ),
                    value=ImportState.policy,
                    on_change=ImportState.set_policy,
                ),
            ),
        ),
        rx.hstack(
            rx.button("Choose another file", variant="soft", on_click=ImportState.reset_wizard),
            rx.button("Import", id="import-start", on_click=ImportState.start),
        ),
        spacing="4",
        width="100%",
        align="start",
    )


def progress_step() -> rx.Component:
    """A progress bar while the worker imports."""
    return rx.vstack(
        rx.text("Importing ", ImportState.filename, "… you can leave this page; it keeps going."),
        rx.progress(value=ImportState.percent, width="100%", id="import-progress"),
        rx.text(ImportState.processed, " of ", counted(ImportState.total_rows, "row"), size="2"),
        width="100%",
    )


def count(label: str, key: str) -> rx.Component:
    """One outcome figure."""
    return rx.card(
        rx.text(label, size="2", color="gray"),
        rx.heading(ImportState.counts[key], size="6", id=f"import-{key}"),
    )


def report_step() -> rx.Component:
    """What landed and, row by row, what did not."""
    return rx.vstack(
        rx.cond(
            ImportState.step == "failed",
            rx.callout(
                rx.text("The import stopped: ", ImportState.error),
                color_scheme="red",
                icon="triangle-alert",
            ),
            rx.callout("Import finished.", color_scheme="green", icon="check", id="import-done"),
        ),
        rx.grid(
            count("Created", "created"),
            count("Updated", "updated"),
            count("Skipped (already there)", "skipped"),
            count("Rejected", "rejected"),
            columns="4",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            ImportState.rejected.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.heading("Rejected rows", size="4"),
                    rx.button(
                        rx.icon("download", size=14),
                        "Download rejected rows (CSV)",
                        size="1",
                        variant="soft",
                        on_click=ImportState.download_rejections,
                        id="download-rejections",
                    ),
                    align="center",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Row"),
                            rx.table.column_header_cell("Reason"),
                            rx.table.column_header_cell("As in the file"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            ImportState.rejected,
                            lambda r: rx.table.row(
                                rx.table.cell(r["row"], class_name="rejected-row"),
                                rx.table.cell(r["reason"], class_name="rejected-reason"),
                                rx.table.cell(rx.code(r["raw"])),
                            ),
                        )
                    ),
                    width="100%",
                    id="rejections-table",
                ),
                width="100%",
            ),
        ),
        rx.hstack(
            rx.link(rx.button("Go to ", ImportState.entity_plural), href=ImportState.list_href),
            rx.button("Import another file", variant="soft", on_click=ImportState.reset_wizard),
        ),
        width="100%",
        spacing="4",
    )


def import_page() -> rx.Component:
    """The wizard."""
    return app_shell(
        "Import",
        rx.vstack(
            form_error(ImportState.error, id="import-error"),
            rx.cond(
                ~ImportState.can_write,
                no_access(
                    "Importing records is for Members, Admins and Owners. Ask an Admin if "
                    "you need to import."
                ),
                rx.match(
                    ImportState.step,
                    ("upload", upload_step()),
                    ("map", mapping_step()),
                    ("running", progress_step()),
                    report_step(),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
