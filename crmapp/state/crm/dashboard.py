"""Dashboard numbers and the connection check."""

from __future__ import annotations

import plotly.graph_objects as go
import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.crm import basic_records, dashboard
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.wording import plural
from crmapp.state.session import SessionState


def stage_chart(stages: list[dashboard.StageValue]) -> go.Figure:
    """Open pipeline value per stage, as horizontal bars from $0 (never a negative axis), each
    labelled with its deal count, upright; an empty pipeline says so instead of showing ticks."""
    values = [float(s.value) for s in stages]
    empty = not any(values)
    figure = go.Figure(
        go.Bar(
            x=values,
            y=[s.name for s in stages],
            orientation="h",
            text=[] if empty else [plural(s.count, "deal") for s in stages],
            textposition="auto",
            textangle=0,  # "auto" turns the label sideways in a short bar
            constraintext="none",
            cliponaxis=False,
            marker_color="#3e63dd",
        )
    )
    figure.update_layout(
        margin={"l": 10, "r": 60, "t": 10, "b": 10},
        height=240,
        width=500,
        yaxis={"autorange": "reversed", "fixedrange": True},
        xaxis={
            "tickprefix": "$",
            "separatethousands": True,
            "rangemode": "nonnegative",
            "fixedrange": True,
            "showticklabels": not empty,
            "showgrid": not empty,
            **({"range": [0, 1]} if empty else {}),
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    if empty:
        figure.add_annotation(
            text="No open deals yet",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"color": "#8b8d98"},
        )
    return figure


class DashboardState(SessionState):
    """Headline figures for the active organisation."""

    contacts: int = 0
    open_deals: int = 0
    open_value: str = "0"
    won_value: str = "0"
    loaded: bool = False
    won: str = ""
    lost: str = ""
    chart: go.Figure = go.Figure()
    due_today: list[dict[str, str]] = []
    steps: dict[str, bool] = {}  # next step → done

    @rx.event
    def load(self):
        """on_load: fetch the summary (after the login guard)."""

        def read(session: Session, actor: Actor):
            return (
                basic_records.dashboard_summary(session, actor),
                dashboard.dashboard(session, actor, self.timezone),
                dashboard.next_steps(session, actor, self.timezone),
            )

        done = self._service(read)
        if not done.ok:
            return done.toast
        summary, board, next_steps = done.value
        self.chart = stage_chart(board.by_stage)
        self.steps = {
            "contacts": next_steps.contacts,
            "team": next_steps.team,
            "timezone": next_steps.timezone,
            "proposal": next_steps.proposal,
        }
        self.won = f"{board.won_count} · ${board.won_value:,.0f}"
        self.lost = f"{board.lost_count} · ${board.lost_value:,.0f}"
        self.due_today = [
            {
                "subject": t.subject,
                "due": timefmt.local(t.due_at, self._tz(), "%d %b %H:%M"),
                "href": routes.contact(t.contact_id) if t.contact_id else "",
                "overdue": "yes" if t.overdue else "",
            }
            for t in board.due_today
        ]
        self.contacts, self.open_deals = summary.contacts, summary.open_deals
        self.open_value = f"{summary.open_value:,.0f}"
        self.won_value = f"{summary.won_value:,.0f}"
        self.loaded = True
        return None


class PingState(rx.State):
    """A server round trip the user can trigger; counts replies."""

    count: int = 0

    @rx.event
    def ping(self):
        """Answer one ping."""
        self.count += 1
