"""The deal board: a local React component over @dnd-kit/core, wrapped for Reflex."""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec

DND_KIT = "@dnd-kit/core@6.3.1"


class KanbanBoard(rx.Component):
    """Columns of cards; dropping a card on another column fires `on_move(card_id, column_id)`,
    clicking a card (or Enter on it) fires `on_open(card_id)`."""

    library = rx.asset("kanban.jsx", shared=True).importable_path
    tag = "KanbanBoard"
    lib_dependencies: list[str] = [DND_KIT]

    columns: rx.Var[list[dict[str, str]]]
    cards: rx.Var[list[dict[str, str]]]
    disabled: rx.Var[bool]
    on_move: rx.EventHandler[passthrough_event_spec(str, str)]
    on_open: rx.EventHandler[passthrough_event_spec(str)]


kanban_board = KanbanBoard.create
