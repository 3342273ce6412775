"""Settings → Pipelines."""

from __future__ import annotations

import reflex as rx

from crmapp.components.shell import app_shell
from crmapp.models.crm import STAGE_KINDS
from crmapp.state.crm.pipeline_admin import PipelinesAdminState as S


def _kind_select(value: rx.Var | str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(k.title(), value=k) for k in STAGE_KINDS],
        name="kind",
        default_value=value,
        class_name="tandem-select stage-kind",
        aria_label="Kind",
        disabled=~S.can_manage,
    )


def _delete_stage(stage: rx.Var) -> rx.Component:
    """Delete with a confirmation that asks where the stage's deals go."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                color_scheme="red",
                aria_label="Delete stage",
                disabled=~S.can_manage,
                class_name="stage-delete",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete the stage “", stage["name"], "”?"),
            rx.form(
                rx.vstack(
                    rx.cond(
                        stage["deals"] != "0",
                        rx.vstack(
                            rx.text(stage["deals_here"]),
                            rx.el.select(
                                rx.foreach(
                                    S.stages,
                                    lambda o: rx.cond(
                                        (o["pipeline_id"] == stage["pipeline_id"])
                                        & (o["id"] != stage["id"]),
                                        rx.el.option(o["name"], value=o["id"]),
                                    ),
                                ),
                                name="move_to",
                                class_name="tandem-select",
                                id="stage-move-to",
                            ),
                        ),
                        rx.text("No deal is in this stage."),
                    ),
                    rx.input(type="hidden", name="stage_id", value=stage["id"]),
                    rx.input(type="hidden", name="pipeline_id", value=stage["pipeline_id"]),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                        rx.alert_dialog.action(
                            rx.button(
                                "Delete stage",
                                color_scheme="red",
                                type="submit",
                                id="stage-delete-confirm",
                            )
                        ),
                        justify="end",
                    ),
                    spacing="3",
                ),
                on_submit=S.delete_stage,
            ),
        ),
    )


def stage_row(stage: rx.Var) -> rx.Component:
    """One stage: name, kind, probability, save, move, delete."""
    return rx.form(
        rx.hstack(
            rx.input(
                name="name",
                default_value=stage["name"],
                max_length=80,
                width="200px",
                class_name="stage-name",
                aria_label="Stage name",
                disabled=~S.can_manage,
            ),
            _kind_select(stage["kind"]),
            rx.input(
                name="probability",
                default_value=stage["probability"],
                width="70px",
                aria_label="Probability %",
                disabled=~S.can_manage,
            ),
            rx.text("%", size="2"),
            rx.badge(stage["deals_text"], variant="soft", color_scheme="gray"),
            rx.input(type="hidden", name="stage_id", value=stage["id"]),
            rx.input(type="hidden", name="pipeline_id", value=stage["pipeline_id"]),
            rx.button("Save", size="1", variant="soft", type="submit", disabled=~S.can_manage),
            rx.icon_button(
                rx.icon("arrow-up", size=14),
                variant="ghost",
                type="button",
                aria_label="Move up",
                disabled=(stage["first"] == "1") | ~S.can_manage,
                on_click=S.move_stage(stage["id"], stage["pipeline_id"], -1),
            ),
            rx.icon_button(
                rx.icon("arrow-down", size=14),
                variant="ghost",
                type="button",
                aria_label="Move down",
                disabled=(stage["last"] == "1") | ~S.can_manage,
                on_click=S.move_stage(stage["id"], stage["pipeline_id"], 1),
            ),
            _delete_stage(stage),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        on_submit=S.save_stage,
        reset_on_submit=False,
        key=stage["id"] + stage["name"] + stage["kind"] + stage["probability"],
        class_name="stage-row",
    )


def signed_stage_select(p: rx.Var) -> rx.Component:
    """ "On signature → stage": where a signed proposal moves this pipeline's deals."""
    select_id = "signed-stage-" + p["id"]
    return rx.hstack(
        rx.el.label(
            "When a proposal is signed, move the deal to",
            html_for=select_id,
            style={"font_size": "var(--font-size-2)"},
        ),
        rx.el.select(
            rx.foreach(
                S.stages,
                lambda o: rx.cond(
                    (o["pipeline_id"] == p["id"]) & (o["kind"] != "lost"),
                    rx.el.option(o["name"], value=o["id"]),
                ),
            ),
            id=select_id,
            default_value=p["signed_stage"],
            key=p["id"] + p["signed_stage"],
            class_name="tandem-select signed-stage",
            disabled=~S.can_manage,
            on_change=lambda stage_id: S.set_signed_stage(p["id"], stage_id),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def pipeline_card(p: rx.Var) -> rx.Component:
    """A pipeline: name, default, its stages in order, add a stage."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="name",
                            default_value=p["name"],
                            max_length=120,
                            aria_label="Pipeline name",
                            disabled=~S.can_manage,
                        ),
                        rx.input(type="hidden", name="pipeline_id", value=p["id"]),
                        rx.button(
                            "Rename",
                            size="1",
                            variant="soft",
                            type="submit",
                            disabled=~S.can_manage,
                        ),
                        align="center",
                    ),
                    on_submit=S.rename_pipeline,
                    reset_on_submit=False,
                    key=p["id"] + p["name"],
                ),
                rx.cond(
                    p["default"] == "1",
                    rx.badge("Default", color_scheme="green"),
                    rx.hstack(
                        rx.button(
                            "Make default",
                            size="1",
                            variant="soft",
                            on_click=S.make_default(p["id"]),
                            disabled=~S.can_manage,
                        ),
                        rx.button(
                            "Delete pipeline",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.delete_pipeline(p["id"]),
                            disabled=~S.can_manage,
                        ),
                    ),
                ),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                S.errors.contains(p["id"]),
                rx.callout(
                    S.errors[p["id"]],
                    color_scheme="red",
                    icon="triangle-alert",
                    width="100%",
                    class_name="pipeline-error",
                ),
            ),
            rx.vstack(
                rx.foreach(S.stages, lambda s: rx.cond(s["pipeline_id"] == p["id"], stage_row(s))),
                spacing="2",
                width="100%",
            ),
            signed_stage_select(p),
            rx.cond(
                S.can_manage,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="name",
                            placeholder="New stage",
                            max_length=80,
                            class_name="new-stage-name",
                            aria_label="New stage name",
                        ),
                        _kind_select("open"),
                        rx.input(
                            name="probability",
                            default_value="50",
                            width="70px",
                            aria_label="Probability %",
                        ),
                        rx.input(type="hidden", name="pipeline_id", value=p["id"]),
                        rx.button(
                            rx.icon("plus", size=14),
                            "Add stage",
                            size="2",
                            type="submit",
                            class_name="add-stage",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    on_submit=S.add_stage,
                    reset_on_submit=True,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="pipeline-card",
    )


def pipeline_admin_page() -> rx.Component:
    """Every pipeline and its stages."""
    return app_shell(
        "Pipelines",
        rx.vstack(
            rx.text(
                "Deals move through these stages on the board. Open stages count towards the"
                " pipeline; moving a deal to a won or lost stage records when and by whom.",
                size="2",
                color="gray",
            ),
            rx.cond(
                ~S.can_manage,
                rx.callout("Only Admins and Owners can change pipelines.", icon="lock"),
            ),
            rx.foreach(S.pipelines, pipeline_card),
            rx.cond(
                S.can_manage,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="name",
                            placeholder="New pipeline, e.g. Renewals",
                            max_length=120,
                            aria_label="New pipeline name",
                            id="new-pipeline-name",
                            width="280px",
                        ),
                        rx.button("Add pipeline", type="submit", id="add-pipeline"),
                        rx.cond(
                            S.errors.contains("new"),
                            rx.text(S.errors["new"], size="1", color=rx.color("red", 11)),
                        ),
                        align="center",
                    ),
                    on_submit=S.create_pipeline,
                    reset_on_submit=True,
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
