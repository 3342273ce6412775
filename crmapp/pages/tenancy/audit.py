"""Audit trail page."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, form_error, no_access, pager
from crmapp.state.tenancy.audit import AuditState


def audit_page() -> rx.Component:
    """Filterable, paginated audit events in the user's time zone."""
    return app_shell(
        "Audit trail",
        rx.cond(
            AuditState.can_view_audit,
            trail(),
            no_access(
                "The audit trail is open to Admins and Owners. Ask one of them if you need to "
                "know who changed what."
            ),
        ),
    )


def trail() -> rx.Component:
    """Filters, the table and the pager."""
    return rx.vstack(
        rx.text(
            "Every change in this organisation, newest first. Times in ",
            AuditState.timezone,
            ". The trail is append-only: nobody can edit or delete it.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(
                    id="audit-action", min_width="200px", custom_attrs={"aria-label": "Action"}
                ),
                rx.select.content(
                    rx.foreach(AuditState.actions, lambda a: rx.select.item(a[1], value=a[0]))
                ),
                value=AuditState.action,
                on_change=AuditState.set_action,
            ),
            rx.input(
                placeholder="Who (name or email)",
                value=AuditState.actor_email,
                on_change=AuditState.set_actor_email.debounce(300),
                aria_label="Who",
                id="audit-actor",
            ),
            rx.text("From", size="2"),
            rx.input(
                type="date",
                value=AuditState.since,
                on_change=AuditState.set_since,
                aria_label="From",
                id="audit-since",
            ),
            rx.text("to", size="2"),
            rx.input(
                type="date",
                value=AuditState.until,
                on_change=AuditState.set_until,
                aria_label="To",
                id="audit-until",
            ),
            wrap="wrap",
            align="center",
        ),
        form_error(AuditState.error, id="audit-error"),
        rx.cond(
            AuditState.total == 0,
            empty_state(
                "scroll-text",
                "No events match",
                "Change the filters, or come back after your team has worked a bit.",
            ),
            rx.vstack(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "When",
                                    "Who",
                                    "Action",
                                    "Record",
                                    "Changes",
                                    "IP",
                                )
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            AuditState.rows,
                            lambda r: rx.table.row(
                                rx.table.cell(r["when"]),
                                rx.table.cell(r["actor"]),
                                rx.table.cell(r["action"], class_name="audit-action"),
                                rx.table.cell(
                                    rx.text(r["kind"], size="1", color=rx.color("gray", 10)),
                                    rx.cond(
                                        r["href"] != "",
                                        rx.link(r["record"], href=r["href"]),
                                        rx.text(r["record"]),
                                    ),
                                    class_name="audit-record",
                                ),
                                rx.table.cell(
                                    rx.text(r["changes"], size="1"), class_name="audit-changes"
                                ),
                                rx.table.cell(r["ip"]),
                            ),
                        )
                    ),
                    width="100%",
                    id="audit-table",
                    class_name="wrap-cells",
                ),
                pager(
                    AuditState.page,
                    AuditState.pages,
                    AuditState.total,
                    AuditState.prev_page,
                    AuditState.next_page,
                    "events",
                ),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
