"""Row selection with bulk actions, and inline cell edits, for the record lists."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp.services.crm import bulk_actions, list_views, records
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.wording import plural
from crmapp.state.crm.list_views import ListMixin


class ListEditMixin(ListMixin, mixin=True):
    """A record list with ticked rows and the cell being edited."""

    # bulk selection
    selected: list[str] = []
    all_matching: bool = False
    bulk_owner: str = ""
    bulk_tag: str = ""
    # inline edit
    edit_row: str = ""
    edit_key: str = ""
    edit_value: str = ""
    edit_error: str = ""

    @rx.var
    def selection_count(self) -> int:
        """How many rows a bulk action would touch."""
        return self.total if self.all_matching else len(self.selected)

    @rx.var
    def page_all_selected(self) -> bool:
        """Whether every row on this page is ticked."""
        return bool(self.rows) and all(r["id"] in self.selected for r in self.rows)

    @rx.event
    def toggle_row(self, row_id: str, checked: bool):
        """Tick or untick one row."""
        self.all_matching = False
        rest = [i for i in self.selected if i != row_id]
        self.selected = [*rest, row_id] if checked else rest

    @rx.event
    def toggle_page(self, checked: bool):
        """Tick or untick every row on the page."""
        self.all_matching = False
        self.selected = [r["id"] for r in self.rows] if checked else []

    @rx.event
    def select_all_matching(self):
        """Extend the selection to every row matching the filters, on every page."""
        self.all_matching = True

    @rx.event
    def clear_selection(self):
        """Untick everything."""
        self.selected, self.all_matching = [], False

    @rx.event
    def set_bulk_owner(self, value: str):
        """Choose the owner to assign."""
        self.bulk_owner = value

    @rx.event
    def set_bulk_tag(self, value: str):
        """Type the tag to add."""
        self.bulk_tag = value

    @rx.event
    def bulk_tag_submit(self, data: dict):
        """The add-tag form of the bulk bar."""
        self.bulk_tag = str(data.get("tag", "")).strip()
        return self._run_bulk("add_tag")

    @rx.event
    def run_bulk(self, action: str):
        """Assign owner / add tag / delete on the selection."""
        return self._run_bulk(action)

    def _run_bulk(self, action: str):
        value = {"assign_owner": self.bulk_owner, "add_tag": self.bulk_tag}.get(action, "")
        entity, spec = self._entity(), self._spec()
        chosen = None if self.all_matching else [uuid.UUID(i) for i in self.selected]

        def apply(session: Session, actor: Actor) -> int:
            ids = (
                chosen
                if chosen is not None
                else list_views.matching_ids(session, actor, entity, spec)
            )
            return bulk_actions.bulk_apply(session, actor, entity, ids, action, value)

        done = self._service(apply)
        if not done.ok:
            return done.toast
        verb = {"assign_owner": "Reassigned", "add_tag": "Tagged", "delete": "Deleted"}[action]
        self.selected, self.all_matching, self.bulk_tag = [], False, ""
        return [type(self).load, rx.toast.success(f"{verb} {plural(done.value, 'record')}.")]

    # inline edit

    @rx.event
    def start_edit(self, row_id: str, key: str):
        """Turn a cell into an input."""
        if "record.update" not in self.perms:
            return
        row = next((r for r in self.rows if r["id"] == row_id), None)
        column = next((c for c in self.columns if c["key"] == key), None)
        if row is None or column is None or not column["inline"]:
            return
        raw = row.get(f"{key}__raw")
        self.edit_row, self.edit_key = row_id, key
        self.edit_value = raw if raw is not None else row.get(key, "")
        self.edit_error = ""

    @rx.event
    def set_edit_value(self, value: str):
        """Type into the cell being edited."""
        self.edit_value = value

    @rx.event
    def submit_edit(self, data: dict):
        """Enter in a cell's input (its form): save what was typed."""
        self.edit_value = str(data.get("value", ""))
        return type(self).save_edit

    @rx.event
    def blur_edit(self, value: str):
        """Leaving a cell's input saves it, as in a spreadsheet."""
        if not self.edit_row:
            return None
        self.edit_value = value
        return type(self).save_edit

    @rx.event
    def pick_edit_value(self, value: str):
        """Choose from a cell's list: saved at once."""
        self.edit_value = value
        return type(self).save_edit

    @rx.event
    def cancel_edit(self):
        """Leave the cell unchanged."""
        self.edit_row = self.edit_key = self.edit_error = ""

    @rx.event
    def edit_keydown(self, key: str):
        """Enter saves, Escape cancels."""
        if key == "Escape":
            return type(self).cancel_edit
        return None

    @rx.event
    def save_edit(self):
        """Save the edited cell; a bad value keeps the cell open with the reason."""
        if not self.edit_row:
            return None
        done = self._service(
            records.update_cell,
            self._entity(),
            uuid.UUID(self.edit_row),
            self.edit_key,
            self.edit_value,
        )
        if done.fields:
            self.edit_error = next(iter(done.fields.values()), done.error)
            return None
        if not done.ok:
            return done.toast
        self.edit_row = self.edit_key = ""
        return type(self).load
