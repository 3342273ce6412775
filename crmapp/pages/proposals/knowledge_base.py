"""Proposals → Knowledge base."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, form_error
from crmapp.state.proposals.knowledge_base import UPLOAD_ID
from crmapp.state.proposals.knowledge_base import KnowledgeState as S

STATUS_COLORS = {"ready": "green", "failed": "red"}


def document_row(d: rx.Var) -> rx.Component:
    """One document with its embedding status."""
    return rx.table.row(
        rx.table.cell(
            rx.text(d["title"], weight="medium"), rx.text(d["filename"], size="1", color="gray")
        ),
        rx.table.cell(
            rx.hstack(
                rx.badge(
                    d["status"],
                    color_scheme=rx.match(
                        d["status"], ("ready", "green"), ("failed", "red"), "gray"
                    ),
                    class_name="kb-status",
                ),
                rx.cond(d["status"] == "embedding", rx.spinner(size="1")),
                rx.cond(d["error"] != "", rx.text(d["error"], size="1", color=rx.color("red", 11))),
            )
        ),
        rx.table.cell(
            d["chunks"],
            rx.cond(d["chunks"] == "1", " passage · ", " passages · "),
            d["size"],
            size="1",
        ),
        rx.table.cell(
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.delete(d["id"]),
                disabled=~S.perms.contains("record.delete"),
            )
        ),
        class_name="kb-row",
    )


def knowledge_page() -> rx.Component:
    """Upload, list, search."""
    return app_shell(
        "Knowledge base",
        rx.vstack(
            rx.callout(
                rx.text(
                    "Drafting with: ",
                    rx.text.strong(S.ai_mode),
                    " · passages embedded with ",
                    rx.code(S.embed_model),
                ),
                icon="sparkles",
                width="100%",
                id="ai-mode",
            ),
            rx.text(
                "Proposals quote what your organisation already wrote: service descriptions, case"
                " studies, terms. Only your organisation can search these documents.",
                size="2",
                color="gray",
            ),
            form_error(S.error, id="kb-error"),
            rx.cond(
                S.can_write,
                rx.upload(
                    rx.vstack(
                        rx.icon("file-up", size=28, color=rx.color("accent", 9)),
                        rx.text("Drop .txt, .md, .pdf or .docx files here, or click to choose."),
                        align="center",
                    ),
                    id=UPLOAD_ID,
                    multiple=True,
                    on_drop=S.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
                    border=f"2px dashed {rx.color('gray', 7)}",
                    border_radius="12px",
                    padding="2em",
                    width="100%",
                    cursor="pointer",
                ),
            ),
            rx.cond(
                S.documents.length() == 0,
                empty_state(
                    "library",
                    "No documents yet",
                    "Upload your service descriptions, case studies and terms.",
                ),
                rx.table.root(
                    rx.table.body(rx.foreach(S.documents, document_row)),
                    width="100%",
                    id="kb-documents",
                ),
            ),
            rx.heading("Search", size="4"),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="query",
                        placeholder="e.g. what does the retainer include?",
                        width="420px",
                        aria_label="Search the knowledge base",
                        id="kb-query",
                        default_value=S.query,
                    ),
                    rx.button("Search", type="submit", id="kb-search"),
                ),
                on_submit=S.search,
                reset_on_submit=False,
            ),
            rx.cond(
                S.searched & (S.results.length() == 0),
                rx.text(
                    "No passage found. Upload documents first, or wait until they are ready.",
                    color="gray",
                ),
            ),
            rx.vstack(
                rx.foreach(
                    S.results,
                    lambda r: rx.card(
                        rx.hstack(rx.text(r["title"], weight="medium"), rx.badge(r["score"])),
                        rx.text(r["text"], size="2", white_space="pre-wrap"),
                        width="100%",
                        class_name="kb-result",
                    ),
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )
