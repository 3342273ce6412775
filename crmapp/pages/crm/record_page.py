"""Record pages (contact, company, deal): header, details and edit form, related records,
quick-add activity, timeline."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crmapp import routes
from crmapp.components.recordform import form_fields
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, label
from crmapp.models.crm import ACTIVITY_KINDS
from crmapp.pages.crm.record_timeline import timeline_item
from crmapp.services.crm.activities import SUBJECT_PROMPTS
from crmapp.state.crm.record_page import CompanyRecordState, ContactRecordState, DealRecordState


def header(S: Any) -> rx.Component:
    """Name and key fields."""
    r = S.record
    return rx.card(
        rx.hstack(
            rx.avatar(fallback=r["initials"], size="5", radius="full"),
            rx.vstack(
                rx.hstack(
                    rx.heading(r["title"], size="6", id="record-name"),
                    rx.cond(
                        r["badge"] != "", rx.badge(r["badge"], variant="soft", id="record-badge")
                    ),
                    align="center",
                ),
                rx.text(r["subtitle"], color=rx.color("gray", 11), id="record-subtitle"),
                rx.hstack(
                    rx.cond(
                        r["email"] != "",
                        rx.link(rx.icon("mail", size=14), r["email"], href="mailto:" + r["email"]),
                    ),
                    rx.cond(r["phone"] != "", rx.text(rx.icon("phone", size=14), r["phone"])),
                    rx.cond(r["owner"] != "", rx.text("Owner: ", r["owner"], size="2")),
                    spacing="4",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("pencil", size=14),
                "Edit",
                variant="soft",
                on_click=S.start_editing,
                disabled=~S.can_write,
                id="record-edit",
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        variant="soft",
                        color_scheme="red",
                        disabled=~S.perms.contains("record.delete"),
                        id="record-delete",
                    )
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete ", r["title"], "?"),
                    rx.alert_dialog.description(
                        "It moves to the trash; Admins can restore it for 30 days."
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                        rx.alert_dialog.action(
                            rx.button(
                                "Delete",
                                color_scheme="red",
                                on_click=S.delete_record,
                                id="record-delete-confirm",
                            )
                        ),
                        justify="end",
                    ),
                ),
            ),
            spacing="4",
            align="center",
            width="100%",
        ),
        width="100%",
    )


def details(S: Any, entity: str) -> rx.Component:
    """Every field, or the edit form."""
    return rx.card(
        rx.cond(
            S.editing,
            rx.form(
                rx.vstack(
                    rx.cond(S.form_error != "", rx.callout(S.form_error, color_scheme="red")),
                    form_fields(S, entity),
                    rx.hstack(
                        rx.button("Cancel", variant="soft", type="button", on_click=S.stop_editing),
                        rx.button("Save", type="submit", id=f"{entity}-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save_form,
                reset_on_submit=False,
            ),
            rx.grid(
                rx.foreach(
                    S.details,
                    lambda d: rx.vstack(
                        rx.text(d["label"], size="1", color=rx.color("gray", 10)),
                        rx.text(
                            rx.cond(d["value"] != "", d["value"], "—"),
                            size="2",
                            white_space="pre-wrap",
                            class_name="detail-value",
                            data_key=d["key"],
                        ),
                        spacing="0",
                        align="start",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="3",
                width="100%",
                id="record-details",
            ),
        ),
        width="100%",
    )


def related_list(title: str, items: rx.Var, empty: str) -> rx.Component:
    """A titled list of linked records."""
    return rx.vstack(
        rx.heading(title, size="3"),
        rx.cond(
            items.length() == 0,
            rx.text(empty, size="2", color="gray"),
            rx.foreach(
                items,
                lambda d: rx.card(
                    rx.link(d["label"], href=d["href"], weight="medium"),
                    rx.text(d["sub"], size="1", color="gray"),
                    width="100%",
                    class_name="related-item",
                ),
            ),
        ),
        width="100%",
        spacing="2",
    )


def quick_add(S: Any) -> rx.Component:
    """Log a note, call, meeting, email or task (not offered to roles that cannot write)."""
    return rx.cond(S.can_write, _quick_add_form(S))


def _quick_add_form(S: Any) -> rx.Component:
    errors = S.field_errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.segmented_control.root(
                    *[rx.segmented_control.item(k.title(), value=k) for k in ACTIVITY_KINDS],
                    value=S.kind,
                    on_change=S.set_kind,
                    id="activity-kind",
                ),
                rx.input(
                    name="subject",
                    placeholder=rx.match(S.kind, *SUBJECT_PROMPTS.items(), "What happened?"),
                    id="activity-subject",
                    width="100%",
                    aria_label="Subject",
                ),
                rx.cond(
                    errors.contains("subject"),
                    rx.text(errors["subject"], size="1", color=rx.color("red", 11)),
                ),
                rx.text_area(
                    name="body",
                    placeholder="Details (optional)",
                    id="activity-body",
                    width="100%",
                    aria_label="Details",
                ),
                rx.cond(
                    S.kind != "task",
                    rx.hstack(
                        label("When", for_id="activity-occurred", weight="regular"),
                        rx.input(
                            type="datetime-local",
                            name="occurred_at",
                            id="activity-occurred",
                            default_value=S.occurred_default,
                            key=S.occurred_default,
                        ),
                        rx.text(S.timezone, size="1", color=rx.color("gray", 10)),
                        align="center",
                    ),
                ),
                rx.cond(
                    errors.contains("occurred_at"),
                    rx.text(errors["occurred_at"], size="1", color=rx.color("red", 11)),
                ),
                rx.cond(
                    S.kind == "task",
                    rx.hstack(
                        label("Due", for_id="activity-due", weight="regular"),
                        rx.input(type="datetime-local", name="due_at", id="activity-due"),
                        rx.text("for", size="2"),
                        rx.el.select(
                            rx.el.option("me", value=""),
                            rx.foreach(
                                S.owner_options, lambda o: rx.el.option(o["name"], value=o["id"])
                            ),
                            name="assignee_id",
                            id="activity-assignee",
                            class_name="tandem-select",
                            aria_label="Assignee",
                        ),
                        align="center",
                    ),
                ),
                rx.button("Log it", type="submit", id="activity-save", disabled=~S.can_write),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=S.add_activity,
            reset_on_submit=True,
        ),
        width="100%",
    )


def record_page(S: Any, entity: str, noun: str, back_href: str, back_label: str):
    """A record page: header, details/edit, quick-add, timeline; related records beside."""
    related = []
    if entity != "contact":
        related.append(related_list("Contacts", S.related_contacts, "No contacts linked."))
    if entity != "company":
        related.append(related_list("Company", S.related_companies, "No company linked."))
    if entity != "deal":
        related.append(related_list("Deals", S.related_deals, "No deals yet."))
    else:
        related.append(related_list("Proposals", S.related_proposals, "No proposals yet."))
        related.append(
            rx.link(
                rx.button(
                    rx.icon("sparkles", size=14),
                    "New proposal",
                    variant="soft",
                    disabled=~S.can_write,
                    width="100%",
                ),
                href=routes.new_proposal_for(S.record["id"]),
                id="deal-new-proposal",
                width="100%",
            )
        )
    return app_shell(
        noun,
        rx.cond(
            S.found,
            rx.grid(
                rx.vstack(
                    header(S),
                    details(S, entity),
                    quick_add(S),
                    rx.heading("Timeline", size="4"),
                    rx.vstack(
                        rx.foreach(S.timeline, lambda item: timeline_item(S, item)),
                        spacing="4",
                        width="100%",
                        id="timeline",
                    ),
                    width="100%",
                    spacing="4",
                ),
                rx.vstack(*related, width="100%", spacing="4", id="related"),
                columns=rx.breakpoints(initial="1", md="3fr 1fr"),
                spacing="5",
                width="100%",
            ),
            empty_state(
                "search-x",
                f"{noun} not found",
                "It may have been deleted, or the link is wrong.",
                rx.link(rx.button(back_label), href=back_href),
            ),
        ),
    )


def contact_record_page() -> rx.Component:
    """A contact's page."""
    return record_page(
        ContactRecordState, "contact", "Contact", routes.CONTACTS, "Back to contacts"
    )


def company_record_page() -> rx.Component:
    """A company's page."""
    return record_page(
        CompanyRecordState, "company", "Company", routes.COMPANIES, "Back to companies"
    )


def deal_record_page() -> rx.Component:
    """A deal's page."""
    return record_page(DealRecordState, "deal", "Deal", routes.DEALS, "Back to deals")
