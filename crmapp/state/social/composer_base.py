"""What the social composer holds about one post, and how it is read and saved.

The composer's state is a chain: this base (the post's fields, accounts, media, targets and
comments; loading, previews, saving) ← `ComposerMediaState` (upload, library, crops) ←
`ComposerAssistState` (AI assist with undo) ← `ComposerReviewState` (approve, reject,
comments, status) ← `ComposerState` (editing, saving, scheduling). Each part's handlers use only
what is below it; the page names `ComposerState` for all of them.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals.editor_view import deal_options
from crmapp.services.social import library, post_formats, post_views, posts, review
from crmapp.services.social.post_views import NetworkPreview
from crmapp.state.session import SessionState
from jobs.social import enqueue_publish_at

META_FIELDS = ("link", "fmt", "deal_id", "contact_id", "campaign")


def asset_row(actor: Actor, asset) -> dict[str, str]:
    """A library file as the composer lists it."""
    return {
        "id": str(asset.id),
        "filename": asset.filename,
        "kind": asset.kind,
        "thumb": library.thumbnail_url(actor, asset),
        "size": f"{asset.width}×{asset.height}" if asset.width else "",
    }


class ComposerBase(SessionState):
    """One post in the composer: its fields as edited, and what the page shows of it."""

    loaded: bool = False
    missing: str = ""
    current_id: str = ""  # "" while the post is new
    form_key: int = 0  # bumped to remount the uncontrolled inputs after loading new data
    accounts: list[dict[str, str]] = []
    chosen: list[str] = []
    text: str = ""
    overrides: dict[str, str] = {}
    active_network: str = ""
    link: str = ""
    fmt: str = "feed"
    # The chosen network with a choice of format (Instagram), its name and its options.
    format_network: str = ""
    format_label: str = ""
    format_options: list[dict[str, str]] = []
    deal_id: str = ""
    contact_id: str = ""
    campaign: str = ""
    deal_choices: list[dict[str, str]] = []
    contact_choices: list[dict[str, str]] = []
    approvals_required: bool = False
    previews: list[NetworkPreview] = []
    media: list[dict[str, str]] = []
    crops: list[dict[str, str]] = []
    media_error: str = ""
    sched_date: str = ""
    sched_time: str = ""
    sched_tz: str = "UTC"
    sched_hint: str = ""
    sched_error: str = ""
    scheduled_text: str = ""
    post_state: str = ""
    post_state_label: str = ""
    post_editable: bool = True
    author: str = ""
    review_note: str = ""
    targets: list[dict[str, str]] = []
    comments: list[dict[str, str]] = []
    error: str = ""
    field_errors: dict[str, str] = {}
    dirty: bool = False

    @rx.var
    def editable(self) -> bool:
        """Whether the user may change the post now."""
        return self.can_write and self.post_editable

    @rx.var
    def is_new(self) -> bool:
        """Whether the post is not saved yet."""
        return self.current_id == ""

    @rx.var
    def active_override(self) -> str:
        """The variant text of the network whose tab is open."""
        return self.overrides.get(self.active_network, "")

    @rx.var
    def active_label(self) -> str:
        """The name of the network whose tab is open."""
        return next((p.label for p in self.previews if p.network == self.active_network), "")

    @rx.var
    def edit_resets(self) -> bool:
        """Whether saving the unsaved changes sends an approved or reviewed post back to draft."""
        return self.dirty and posts.edit_loses_review(self.post_state)

    # -- reading -----------------------------------------------------------------------------

    def _post_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.current_id) if self.current_id else None
        except ValueError:
            return None

    def _chosen_accounts(self) -> list[dict[str, str]]:
        by_id = {a["id"]: a for a in self.accounts}
        return [by_id[i] for i in self.chosen if i in by_id]

    def _recompute(self) -> None:
        chosen = self._chosen_accounts()
        thumbs = [m.get("thumb", "") or "video" for m in self.media]
        self.previews = post_views.previews(self.text, self.overrides, chosen, thumbs, self.link)
        networks = [p.network for p in self.previews]
        offered = post_formats.choice(networks)
        self.format_network, self.format_label = offered.network, offered.label
        self.format_options = offered.options
        if self.active_network not in networks:
            self.active_network = networks[0] if networks else ""
        self.sched_hint, self.sched_error = post_views.schedule_hint(
            self.sched_date, self.sched_time, self.sched_tz, chosen
        )

    def _changed(self) -> None:
        """The text or a variant changed under the inputs: remount them, recount."""
        self.dirty, self.form_key = True, self.form_key + 1
        self._recompute()

    def _reload(self) -> bool:
        """Read the post (or the empty composer) from the database."""
        post_id = self._post_uuid()

        def read(session: Session, actor: Actor):
            self.accounts = post_views.account_options(session, actor)
            self.deal_choices = deal_options(session, actor)
            self.contact_choices = post_views.contact_options(session, actor)
            self.approvals_required = review.approvals_required(session, actor.org_id)
            data = post_views.post_view(session, actor, post_id, self._tz()) if post_id else None
            ids = data["media_ids"] if data else []
            self.media = [asset_row(actor, a) for a in library.assets_by_id(session, actor, ids)]
            return data

        done = self._service(read)
        if not done.ok:
            self.missing = done.error
            return False
        data = done.value
        self.missing = ""
        if data is None:
            self.chosen, self.text, self.overrides = [], "", {}
            self.link, self.fmt, self.campaign = "", "feed", ""
            self.deal_id = self.contact_id = ""
            self.sched_date = self.sched_time = ""
            self.sched_tz = self.timezone or "UTC"
            self.scheduled_text = self.post_state = self.post_state_label = ""
            self.author = self.review_note = ""
            self.post_editable = True
            self.targets, self.comments = [], []
        else:
            self.chosen = data["account_ids"]
            self.text, self.overrides = data["text"], data["overrides"]
            self.link, self.fmt = data["link"], data["format"]
            self.deal_id, self.contact_id = data["deal_id"], data["contact_id"]
            self.campaign = data["campaign"]
            self.sched_date, self.sched_time = data["date"], data["time"]
            self.sched_tz = data["timezone"] or self.timezone or "UTC"
            self.scheduled_text = data["scheduled"]
            self.post_state, self.post_state_label = data["state"], data["state_label"]
            self.author, self.review_note = data["author"], data["review_note"]
            self.post_editable = data["editable"]
            self.targets, self.comments = data["targets"], data["comments"]
        self.dirty = False
        self.form_key += 1
        self._recompute()
        self._load_crops_quietly()
        self.loaded = True
        return True

    def _post_format(self) -> str:
        return post_formats.post_format(self.fmt, [p.network for p in self.previews])

    def _load_crops_quietly(self) -> None:
        """Crop previews for the network with a choice of format (only when one is chosen and
        there are images)."""
        images = [uuid.UUID(m["id"]) for m in self.media if m["kind"] == "image"]
        network = self.format_network
        if not network or not images:
            self.crops = []
            return
        fmt = self._post_format()

        def read(session: Session, actor: Actor) -> list[dict[str, str]]:
            return [library.crop_view(session, actor, i, network, fmt) for i in images]

        done = self._service(read)
        if done.login is not None:
            return
        self.media_error = done.error or self.media_error
        self.crops = done.value if done.ok else []

    def _chosen_time(self) -> datetime | None:
        """The date and time in the When fields (naive, in `sched_tz`), None when both are
        empty; ServiceError when only one is filled in."""
        if not self.sched_date and not self.sched_time:
            return None
        return post_views.parse_local(self.sched_date, self.sched_time)

    # -- saving ------------------------------------------------------------------------------

    def _input(self) -> posts.PostInput:
        def ref(value: str) -> uuid.UUID | None:
            try:
                return uuid.UUID(value) if value else None
            except ValueError:
                return None

        return posts.PostInput(
            text=self.text,
            account_ids=[uuid.UUID(i) for i in self.chosen],
            overrides={k: {"text": v} for k, v in self.overrides.items() if v.strip()},
            media_ids=[uuid.UUID(m["id"]) for m in self.media],
            link=self.link,
            format=self._post_format(),
            deal_id=ref(self.deal_id),
            contact_id=ref(self.contact_id),
            campaign=self.campaign,
        )

    def _on_post(
        self,
        action: Callable[[Session, Actor, uuid.UUID], Any] | None,
        message: str | Callable[[Any], str],
        *,
        save: bool,
    ):
        """`action(session, actor, post_id)` on the post (first saving what changed, with
        `save`) in one transaction; then the post as it is now, and `message` (or what
        `message(result)` says of the action's result). A time the post now has is queued at
        its instant (the dispatcher's sweep of PostgreSQL publishes it anyway should Redis be
        unavailable now)."""
        was_new, saved_id = self.current_id == "", self._post_uuid()
        if not save and saved_id is None:
            return None
        data = self._input() if save and (saved_id is None or self.dirty) else None

        def act(session: Session, actor: Actor):
            post_id = posts.save_post(session, actor, saved_id, data) if save else saved_id
            assert post_id is not None
            result = action(session, actor, post_id) if action is not None else None
            return post_id, posts.next_due(session, post_id), actor.org_id, result

        if save:
            self.error, self.field_errors = "", {}
        done = self._service(act)
        if done.login is not None:
            return done.login
        if not done.ok:
            if not save:
                self._reload()
                return done.toast
            self.field_errors = done.fields
            if "scheduled_at" in self.field_errors or "timezone" in self.field_errors:
                self.sched_error = done.error
            self.error = done.error
            return done.toast
        post_id, due, org_id, result = done.value
        if due is not None:
            with contextlib.suppress(Exception):
                enqueue_publish_at(org_id, due)
        said = rx.toast.success(message(result) if callable(message) else message)
        if was_new:
            return [said, rx.redirect(routes.social_post(post_id))]
        self._reload()
        return said
