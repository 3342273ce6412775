// A drag-and-drop deal board built on @dnd-kit/core (pointer and keyboard sensors).
// Props: columns [{id, name, count, label, total, kind}], cards [{id, column, title, value,
// company}], disabled (read-only roles), onMove(cardId, columnId) when a card is dropped on
// another column, onOpen(cardId) when a card is clicked or Enter is pressed on it (Space picks
// a card up to move it with the arrow keys; Space or Enter drops it).
import React from "react";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";

const KIND_ACCENT = { won: "var(--green-9)", lost: "var(--red-9)", open: "var(--accent-9)" };

// Enter opens a card, so only Space picks one up; a keyboard move ends with Space or Enter.
const KEYBOARD_CODES = { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] };

function DealCard({ card, disabled, onOpen, dragged }) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: card.id,
    disabled,
  });
  const open = () => {
    if (onOpen && !dragged.current) onOpen(String(card.id));
  };
  const onKeyDown = (event) => {
    if (event.key === "Enter" && !isDragging) {
      event.preventDefault();
      open();
      return;
    }
    if (listeners && listeners.onKeyDown) listeners.onKeyDown(event);
  };
  const style = {
    transform: transform ? `translate3d(${transform.x}px, ${transform.y}px, 0)` : undefined,
    zIndex: isDragging ? 20 : undefined,
    boxShadow: isDragging ? "0 8px 24px rgba(0,0,0,0.18)" : "0 1px 2px rgba(0,0,0,0.06)",
    cursor: isDragging ? "grabbing" : "pointer",
    background: "var(--color-panel-solid)",
    border: "1px solid var(--gray-5)",
    borderRadius: "8px",
    padding: "10px 12px",
    touchAction: "none",
    userSelect: "none",
  };
  return (
    <div
      ref={setNodeRef}
      style={style}
      {...listeners}
      {...attributes}
      aria-disabled={false /* a viewer cannot move it, but can open it */}
      onKeyDown={onKeyDown}
      onClick={open}
      id={`deal-card-${card.id}`}
      className="kanban-card"
      data-deal-id={card.id}
      aria-roledescription={disabled ? "deal" : "draggable deal"}
    >
      <div style={{ fontWeight: 500, fontSize: "14px" }} className="kanban-card-title">
        {card.title}
      </div>
      <div style={{ fontSize: "13px", color: "var(--gray-11)", marginTop: "2px" }}>
        {card.value}
        {card.company ? ` · ${card.company}` : ""}
      </div>
    </div>
  );
}

function StageColumn({ column, cards, disabled, onOpen, dragged }) {
  const { setNodeRef, isOver } = useDroppable({ id: column.id, disabled });
  return (
    <section
      ref={setNodeRef}
      id={`stage-${column.id}`}
      className="kanban-column"
      data-stage-name={column.name}
      aria-label={column.label || column.name}
      style={{
        flex: "1 0 180px",
        display: "flex",
        flexDirection: "column",
        gap: "8px",
        padding: "10px",
        borderRadius: "10px",
        background: isOver ? "var(--accent-3)" : "var(--gray-2)",
        border: `1px solid ${isOver ? "var(--accent-7)" : "var(--gray-4)"}`,
        borderTop: `3px solid ${KIND_ACCENT[column.kind] || KIND_ACCENT.open}`,
        minHeight: "240px",
      }}
    >
      <header style={{ display: "flex", flexDirection: "column", marginBottom: "4px" }}>
        <div style={{ display: "flex", justifyContent: "space-between", fontWeight: 600 }}>
          <span>{column.name}</span>
          <span className="kanban-count" style={{ color: "var(--gray-10)" }}>{column.count}</span>
        </div>
        <div className="kanban-total" style={{ fontSize: "12px", color: "var(--gray-11)" }}>
          {column.total}
        </div>
      </header>
      {cards.map((card) => (
        <DealCard key={card.id} card={card} disabled={disabled} onOpen={onOpen} dragged={dragged} />
      ))}
      {cards.length === 0 && (
        <div style={{ fontSize: "12px", color: "var(--gray-9)", textAlign: "center", padding: "12px" }}>
          {disabled ? "No deals" : "Drop a deal here"}
        </div>
      )}
    </section>
  );
}

// What a screen reader hears while a deal is moved with the keyboard or a pointer: the deal's
// title and the stages' names (dnd-kit's defaults read out the ids, which are UUIDs).
function announcementsFor(cards, columns) {
  const deal = (id) => {
    const card = cards.find((c) => c.id === String(id));
    return card ? card.title : "the deal";
  };
  const stageOf = (id) => {
    const card = cards.find((c) => c.id === String(id));
    const column = card && columns.find((c) => c.id === card.column);
    return column ? column.name : "its stage";
  };
  const stage = (id) => {
    const column = columns.find((c) => c.id === String(id));
    return column ? column.name : "a stage";
  };
  return {
    onDragStart: ({ active }) => `Picked up ${deal(active.id)}, in ${stageOf(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${deal(active.id)} is over ${stage(over.id)}.`
        : `${deal(active.id)} is no longer over a stage.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${deal(active.id)} was dropped in ${stage(over.id)}.`
        : `${deal(active.id)} was dropped outside the stages and stays in ${stageOf(active.id)}.`,
    onDragCancel: ({ active }) =>
      `Moving cancelled. ${deal(active.id)} returned to ${stageOf(active.id)}.`,
  };
}

const INSTRUCTIONS = {
  draggable:
    "Press enter to open a deal. To move it to another stage, press space to pick it up, use " +
    "the arrow keys to move it over a stage, then press space or enter to drop it, or escape to " +
    "cancel.",
};

export function KanbanBoard({ columns = [], cards = [], disabled = false, onMove, onOpen }) {
  const accessibility = {
    announcements: announcementsFor(cards, columns),
    screenReaderInstructions: INSTRUCTIONS,
  };
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { keyboardCodes: KEYBOARD_CODES })
  );
  // A drag ends with the pointer still over the card: the click that follows is not an "open".
  const dragged = React.useRef(false);
  const settle = () => {
    setTimeout(() => {
      dragged.current = false;
    }, 0);
  };
  const handleDragEnd = ({ active, over }) => {
    settle();
    if (!over || !onMove) return;
    const card = cards.find((c) => c.id === active.id);
    if (card && card.column !== over.id) onMove(String(active.id), String(over.id));
  };
  return (
    <DndContext
      sensors={sensors}
      onDragStart={() => {
        dragged.current = true;
      }}
      onDragEnd={handleDragEnd}
      onDragCancel={settle}
      accessibility={accessibility}
    >
      <div
        id="kanban-board"
        style={{ display: "flex", gap: "12px", overflowX: "auto", paddingBottom: "8px", width: "100%" }}
      >
        {columns.map((column) => (
          <StageColumn
            key={column.id}
            column={column}
            cards={cards.filter((c) => c.column === column.id)}
            disabled={disabled}
            onOpen={onOpen}
            dragged={dragged}
          />
        ))}
      </div>
    </DndContext>
  );
}
