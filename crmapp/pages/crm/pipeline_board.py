"""The deal pipeline board."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.components.kanban import kanban_board
from crmapp.components.recordform import DEAL_DIALOG_FIELDS, record_form_dialog
from crmapp.components.shell import app_shell
from crmapp.components.ui import empty_state, label
from crmapp.state.crm.pipeline_board import PipelineState


def undo_bar() -> rx.Component:
    """What the last drag did, with a way back."""
    return rx.cond(
        PipelineState.last_move.contains("deal_id"),
        rx.callout(
            rx.hstack(
                rx.text(PipelineState.last_move["text"], id="move-summary"),
                rx.button(
                    "Undo", size="1", variant="soft", on_click=PipelineState.undo, id="move-undo"
                ),
                align="center",
                spacing="3",
            ),
            icon="move-horizontal",
            width="100%",
        ),
    )


def pipeline_page() -> rx.Component:
    """Drag deals between stages, click one to open it; totals per column; filter by owner."""
    return app_shell(
        "Deals",
        rx.vstack(
            rx.hstack(
                rx.cond(
                    PipelineState.pipeline_choices.length() > 1,
                    rx.el.select(
                        rx.foreach(
                            PipelineState.pipeline_choices,
                            lambda p: rx.el.option(p["name"], value=p["id"]),
                        ),
                        value=PipelineState.pipeline_id,
                        on_change=PipelineState.set_pipeline,
                        id="pipeline-choice",
                        class_name="tandem-select",
                        aria_label="Pipeline",
                    ),
                ),
                label("Owner", for_id="owner-filter", weight="regular"),
                rx.select.root(
                    rx.select.trigger(id="owner-filter", min_width="180px"),
                    rx.select.content(
                        rx.foreach(
                            PipelineState.owners,
                            lambda o: rx.select.item(o["name"], value=o["id"]),
                        )
                    ),
                    value=PipelineState.owner_filter,
                    on_change=PipelineState.set_owner_filter,
                ),
                rx.link(
                    rx.button(rx.icon("table", size=16), "List", variant="soft"),
                    href=routes.DEALS_LIST,
                    id="to-deal-list",
                ),
                rx.cond(
                    PipelineState.perms.contains("pipeline.manage"),
                    rx.link(
                        rx.button(rx.icon("settings-2", size=16), "Edit stages", variant="soft"),
                        href=routes.PIPELINES,
                        id="edit-stages",
                    ),
                ),
                rx.spacer(),
                rx.cond(
                    ~PipelineState.can_write,
                    rx.badge(
                        "View only: you can't move deals", color_scheme="gray", id="board-readonly"
                    ),
                ),
                rx.button(
                    rx.icon("plus", size=16),
                    "New deal",
                    id="new-deal",
                    disabled=~PipelineState.can_write,
                    on_click=PipelineState.new_deal,
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            undo_bar(),
            rx.cond(
                PipelineState.cards.length() == 0,
                empty_state(
                    "handshake",
                    "No deals in the pipeline",
                    "Add a deal, then drag it from stage to stage as it progresses.",
                ),
            ),
            kanban_board(
                columns=PipelineState.columns,
                cards=PipelineState.cards,
                disabled=~PipelineState.can_write,
                on_move=PipelineState.move,
                on_open=PipelineState.open_deal,
            ),
            record_form_dialog(PipelineState, "deal", "deal", DEAL_DIALOG_FIELDS),
            spacing="4",
            width="100%",
        ),
    )
