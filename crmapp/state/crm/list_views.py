"""List views of contacts, companies and deals: one state mixin, one concrete state per entity
(`contacts.ContactsState`, `companies.CompanyListState` and `DealListState`).

The mixin holds the ListSpec being looked at (search, filters, sort), the page, saved views, the
selection for bulk actions and the cell being edited. Everything is computed by
`crmapp.services.crm.list_views` / `bulk_actions` / `records`; this only keeps what the page shows.
"""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.crm import list_views, record_forms, saved_views
from crmapp.services.crm.list_views import ListSpec
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import orgs
from crmapp.state.session import SessionState

OP_LABELS = {
    "contains": "contains",
    "is": "is",
    "has": "has",
    "gte": "≥ / from",
    "lte": "≤ / until",
    "empty": "is empty",
}


def ops_for(kind: str) -> list[str]:
    """The filter operators that make sense for a column kind."""
    if kind in ("tags", "emails", "phones"):
        return ["has", "empty"]
    if kind in ("money", "percent", "number", "date", "datetime"):
        return ["gte", "lte", "is", "empty"]
    if kind in ("select", "user", "stage", "company", "contact"):
        return ["is", "empty"]
    return ["contains", "is", "empty"]


class ListMixin(SessionState, mixin=True):
    """What every record list keeps (a mixin: each list page keeps its own)."""

    columns: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    search: str = ""
    sort: str = "created_at"
    desc: bool = True
    filters: list[dict[str, str]] = []
    list_error: str = ""
    members: list[dict[str, str]] = []
    # the filter being added
    filter_field: str = ""
    filter_op: str = "contains"
    filter_value: str = ""
    # saved views
    views: list[dict[str, str]] = []
    active_view: str = ""
    view_name: str = ""
    view_shared: bool = False
    view_popover_open: bool = False
    stage_choices: list[dict[str, str]] = []
    choices: dict[str, list[list[str]]] = {}  # column key → [value, label] of a select

    def _entity(self) -> str:
        raise NotImplementedError

    def _spec(self) -> ListSpec:
        filters = [{k: str(f[k]) for k in ("field", "op", "value")} for f in self.filters]
        return ListSpec(str(self.search), filters, str(self.sort), bool(self.desc))

    @rx.var
    def filter_ops(self) -> list[list[str]]:
        """[op, label] pairs for the field chosen in the filter builder."""
        column = next((c for c in self.columns if c["key"] == self.filter_field), None)
        return [[op, OP_LABELS[op]] for op in ops_for(column["kind"] if column else "text")]

    @rx.var
    def filter_options(self) -> list[list[str]]:
        """[value, label] choices for the chosen field, when it has a fixed set."""
        column = next((c for c in self.columns if c["key"] == self.filter_field), None)
        if column is None:
            return []
        if column["kind"] == "user":
            return [[m["id"], m["name"]] for m in self.members]
        return self.choices.get(column["key"], [])

    @rx.var
    def filter_input_type(self) -> str:
        """The HTML input type for the chosen field's value."""
        column = next((c for c in self.columns if c["key"] == self.filter_field), None)
        return "date" if column and column["kind"] in ("date", "datetime") else "text"

    @rx.event
    def load(self):
        """Fetch the page under the current spec."""
        entity = self._entity()

        def read(session: Session, actor: Actor):
            result = list_views.list_page(session, actor, entity, self._spec(), self.page)
            views = saved_views.list_views(session, actor, entity)
            members = orgs.list_members(session, actor)
            if entity == "deal":
                self.stage_choices = record_forms.reference_options(session, actor, "deal")["stage"]
            return result, views, members

        done = self._service(read)
        self.list_error = done.error if done.fields else ""
        if not done.ok:
            return None if done.fields else done.toast
        result, views, members = done.value
        self.page, self.pages, self.total = result.page, result.pages, result.total
        self.columns = [
            {
                "key": c.key,
                "label": c.label,
                "kind": c.kind,
                "options": "|".join(c.options),
                "inline": "1" if c.inline else "",
            }
            for c in result.columns
        ]
        self.choices = {c.key: c.choices() for c in result.columns if c.options}
        self.rows = [{**r, "href": routes.record(entity, r["id"])} for r in result.rows]
        self.views = [
            {"id": str(v.id), "name": v.name, "shared": "1" if v.shared else ""} for v in views
        ]
        self.members = [{"id": m.user_id, "name": m.name or m.email} for m in members]
        if not self.filter_field and self.columns:
            self.filter_field = self.columns[0]["key"]
        return None

    def _reload(self):
        self.page, self.selected, self.all_matching = 1, [], False
        return type(self).load

    @rx.event
    def set_search(self, value: str):
        """Filter as the user types."""
        self.search = value
        return self._reload()

    @rx.event
    def sort_by(self, key: str):
        """Sort by a column; a second click reverses."""
        if self.sort == key:
            self.desc = not self.desc
        else:
            self.sort, self.desc = key, key == "created_at"
        return type(self).load

    @rx.event
    def go_page(self, page: int):
        """Show another page."""
        self.page = max(1, min(self.pages, page))
        return type(self).load

    @rx.event
    def next_page(self):
        """One page on."""
        return self.go_page(self.page + 1)

    @rx.event
    def prev_page(self):
        """One page back."""
        return self.go_page(self.page - 1)

    @rx.event
    def set_filter_field(self, key: str):
        """Choose the field of the filter being added."""
        self.filter_field, self.filter_value = key, ""
        column = next((c for c in self.columns if c["key"] == key), None)
        self.filter_op = ops_for(column["kind"] if column else "text")[0]

    @rx.event
    def set_filter_op(self, op: str):
        """Choose the operator of the filter being added."""
        self.filter_op = op

    @rx.event
    def set_filter_value(self, value: str):
        """Type the value of the filter being added."""
        self.filter_value = value

    @rx.event
    def add_filter(self, data: dict | None = None):
        """Apply the filter being built (`data` is the builder form: its typed value)."""
        if data is not None:
            self.filter_value = str(data.get("value", ""))
        if not self.filter_field:
            return None
        if self.filter_op != "empty" and not self.filter_value.strip():
            self.list_error = "Enter a value to filter on."
            return None
        column = next((c for c in self.columns if c["key"] == self.filter_field), None)
        label = column["label"] if column else self.filter_field
        shown = self.filter_value
        if column and column["kind"] == "user":
            shown = next((m["name"] for m in self.members if m["id"] == shown), shown)
        elif column:
            shown = dict(self.choices.get(column["key"], [])).get(shown, shown)
        self.filters = [
            *self.filters,
            {
                "field": self.filter_field,
                "op": self.filter_op,
                "value": self.filter_value,
                "label": f"{label} {OP_LABELS[self.filter_op]} {shown}".strip(),
            },
        ]
        self.filter_value, self.active_view = "", ""
        return self._reload()

    @rx.event
    def remove_filter(self, index: int):
        """Drop one filter."""
        self.filters = [f for i, f in enumerate(self.filters) if i != index]
        self.active_view = ""
        return self._reload()

    @rx.event
    def clear_filters(self):
        """Back to everything."""
        return self._clear_filters()

    def _clear_filters(self):
        self.filters, self.search, self.active_view = [], "", ""
        self.sort, self.desc = "created_at", True
        return self._reload()

    # saved views

    @rx.event
    def set_view_name(self, value: str):
        """Name the view being saved."""
        self.view_name = value

    @rx.event
    def set_view_popover_open(self, value: bool):
        """Open or close the save-view popover."""
        self.view_popover_open = value

    @rx.event
    def set_view_shared(self, value: bool):
        """Share the view being saved with the team."""
        self.view_shared = value

    @rx.event
    def save_view(self, data: dict):
        """Save the current search, filters and sort under a name (the popover's form)."""
        self.view_name = str(data.get("name", ""))
        self.view_shared = bool(data.get("shared"))
        done = self._service(
            saved_views.save_view,
            self._entity(),
            self.view_name,
            self._spec(),
            shared=self.view_shared,
        )
        if not done.ok:
            return done.toast
        self.active_view = str(done.value.id)
        self.view_name, self.view_popover_open = "", False
        return [type(self).load, rx.toast.success("View saved.")]

    @rx.event
    def apply_view(self, view_id: str):
        """Show a saved view."""
        if not view_id or view_id == "-":
            return self._clear_filters()
        done = self._service(saved_views.get_view, uuid.UUID(view_id))
        if not done.ok:
            return done.toast
        spec = ListSpec.from_dict(done.value.spec)
        self.search, self.sort, self.desc = spec.search, spec.sort, spec.desc
        labels = {c["key"]: c["label"] for c in self.columns}

        def shown(f: dict[str, str]) -> str:
            return dict(self.choices.get(f["field"], [])).get(f["value"], f["value"])

        self.filters = [
            {
                **f,
                "label": f"{labels.get(f['field'], f['field'])} {OP_LABELS.get(f['op'], '')} "
                f"{shown(f)}".strip(),
            }
            for f in spec.filters
        ]
        self.active_view = view_id
        return self._reload()

    @rx.event
    def delete_view(self):
        """Delete the view being shown."""
        if not self.active_view:
            return None
        done = self._service(saved_views.delete_view, uuid.UUID(self.active_view))
        if not done.ok:
            return done.toast
        self.active_view = ""
        return [type(self).load, rx.toast.success(f"Deleted the view “{done.value}”.")]

    @rx.event
    def export_csv(self):
        """Download every record matching the current search and filters as CSV."""
        entity = self._entity()
        done = self._service(list_views.export_csv, entity, self._spec())
        if not done.ok:
            return done.toast
        plural = {"contact": "contacts", "company": "companies", "deal": "deals"}[entity]
        return rx.download(data=done.value, filename=f"{plural}.csv")
