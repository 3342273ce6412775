"""The social composer: one editor for a new post (`/social/composer`) and a saved one
(`/social/posts/<id>`): accounts, text and per-network variants with live counts and previews,
links to the CRM, scheduling. Media lives in `ComposerMediaMixin`; review, comments and the
per-target status in `ComposerReviewMixin`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from crmapp import routes
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.proposals.editor_view import deal_options
from crmapp.services.social import post_views, posts, review, textrules
from crmapp.services.social.post_views import NetworkPreview
from crmapp.state.session import SessionState
from crmapp.state.social.composer_assist import ComposerAssistMixin
from crmapp.state.social.composer_media import ComposerMediaMixin
from crmapp.state.social.composer_review import ComposerReviewMixin

META_FIELDS = ("link", "fmt", "deal_id", "contact_id", "campaign")


class ComposerState(ComposerAssistMixin, ComposerReviewMixin, ComposerMediaMixin, SessionState):
    """One post in the composer."""

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
    deal_id: str = ""
    contact_id: str = ""
    campaign: str = ""
    deal_choices: list[dict[str, str]] = []
    contact_choices: list[dict[str, str]] = []
    approvals_required: bool = False
    previews: list[NetworkPreview] = []
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
    def has_instagram(self) -> bool:
        """Whether an Instagram account is chosen (format and crops apply)."""
        return any(p.network == "instagram" for p in self.previews)

    @rx.var
    def active_override(self) -> str:
        """The variant text of the network whose tab is open."""
        return self.overrides.get(self.active_network, "")

    @rx.var
    def active_label(self) -> str:
        """The name of the network whose tab is open."""
        return next((p.label for p in self.previews if p.network == self.active_network), "")

    # -- loading ------------------------------------------------------------------------------

    @rx.var
    def edit_resets(self) -> bool:
        """Whether saving the unsaved changes sends an approved or reviewed post back to draft."""
        return self.dirty and self.post_state in ("approved", "scheduled", "pending_review")

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
        if self.active_network not in networks:
            self.active_network = networks[0] if networks else ""
        self.sched_hint, self.sched_error = post_views.schedule_hint(
            self.sched_date, self.sched_time, self.sched_tz, chosen
        )

    def _reload(self) -> bool:
        """Read the post (or the empty composer) from the database."""
        actor = self._actor()
        if actor is None:
            return False
        post_id = self._post_uuid()
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                self.accounts = post_views.account_options(session, actor)
                self.deal_choices = deal_options(session, actor)
                self.contact_choices = post_views.contact_options(session, actor)
                self.approvals_required = review.approvals_required(session, actor.org_id)
                data = (
                    post_views.post_view(session, actor, post_id, self._tz()) if post_id else None
                )
                self._load_media(session, actor, data["media_ids"] if data else [])
        except ServiceError as err:
            self.missing = str(err)
            return False
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

    @rx.event
    def load(self):
        """Open the composer: `/social/posts/<id>` loads that post, `/social/composer` a new one."""
        self.loaded, self.error, self.field_errors, self.media_error = False, "", {}, ""
        self._reset_assist()
        self.current_id = str(self.router.page.params.get("post_id", "") or "")
        if self.current_id and self._post_uuid() is None:
            self.missing = "Post not found."
            return None
        self._reload()
        return None

    # -- editing -----------------------------------------------------------------------------

    @rx.event
    def set_text(self, value: str):
        """The main text changed (live counts and previews follow; an assist's undo is over)."""
        self.text, self.dirty, self.undo_label = value, True, ""
        self._recompute()

    @rx.event
    def key_down(self, key: str, info: dict):
        """Ctrl/Cmd+Enter saves the draft."""
        if key == "Enter" and (info.get("ctrl_key") or info.get("meta_key")):
            return ComposerState.save
        return None

    @rx.event
    def toggle_account(self, account_id: str):
        """Choose or drop an account."""
        if not self.editable:
            return
        if account_id in self.chosen:
            self.chosen = [i for i in self.chosen if i != account_id]
        else:
            self.chosen = [*self.chosen, account_id]
        self.dirty = True
        self._recompute()
        self._load_crops_quietly()

    @rx.event
    def pick_network(self, network: str):
        """Open a network's tab."""
        self.active_network = network

    @rx.event
    def set_override(self, value: str):
        """The open network's own text ("" = the main text)."""
        overrides = dict(self.overrides)
        if value.strip():
            overrides[self.active_network] = value
        else:
            overrides.pop(self.active_network, None)
        self.overrides, self.dirty = overrides, True
        self._recompute()

    @rx.event
    def clear_override(self, network: str):
        """Go back to the main text for `network`."""
        self.overrides = {k: v for k, v in self.overrides.items() if k != network}
        self.dirty, self.form_key = True, self.form_key + 1
        self._recompute()

    @rx.event
    def auto_truncate(self, network: str):
        """Write the text cut to the network's limit into its variant."""
        source = self.overrides.get(network, "") or self.text
        self.overrides = {**self.overrides, network: textrules.truncate(network, source)}
        self.active_network, self.dirty, self.form_key = network, True, self.form_key + 1
        self._recompute()

    @rx.event
    def set_meta(self, name: str, value: str):
        """Link, format, deal, contact or campaign changed."""
        if name not in META_FIELDS:
            return
        setattr(self, name, value)
        self.dirty = True
        self._recompute()
        if name == "fmt":
            self._load_crops_quietly()

    @rx.event
    def set_schedule_field(self, name: str, value: str):
        """Date, time or zone of the schedule changed: show it in each account's zone."""
        if name in ("sched_date", "sched_time", "sched_tz"):
            setattr(self, name, value)
            self._recompute()

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
            format=self.fmt if self.has_instagram else "feed",
            deal_id=ref(self.deal_id),
            contact_id=ref(self.contact_id),
            campaign=self.campaign,
        )

    def _persist(self, session, actor) -> uuid.UUID:
        """Create the post, or save its changes; the id to act on."""
        post_id = self._post_uuid()
        if post_id is None:
            post = posts.create_post(session, actor, self._input())
            return post.id
        if self.dirty:
            posts.update_post(session, actor, post_id, self._input())
        return post_id

    def _act(self, action: Callable[..., Any] | None, done: str, *args: Any):
        """Save what changed, then run `action(session, actor, post_id, *args)` in the same
        transaction; show the post as it is now."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.error, self.field_errors = "", {}
        was_new = self.current_id == ""
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                post_id = self._persist(session, actor)
                if action is not None:
                    action(session, actor, post_id, *args)
        except ServiceError as err:
            self.field_errors = getattr(err, "fields", {})
            if "scheduled_at" in self.field_errors or "timezone" in self.field_errors:
                self.sched_error = str(err)
            self.error = str(err)
            return rx.toast.error(str(err))
        self._queue_at_instant(actor, post_id)
        if was_new:
            return [rx.toast.success(done), rx.redirect(routes.social_post(post_id))]
        self._reload()
        return rx.toast.success(done)

    @rx.event
    def save(self):
        """Save the draft."""
        if not self.editable:
            return None
        return self._act(None, "Draft saved.")

    def _chosen_time(self):
        """The date and time in the When fields (naive, in `sched_tz`), None when both are
        empty; ServiceError when only one is filled in."""
        if not self.sched_date and not self.sched_time:
            return None
        return post_views.parse_local(self.sched_date, self.sched_time)

    @rx.event
    def submit_review(self):
        """Save and ask an Owner or Admin to approve, with the time chosen under When (saved
        with the post: the reviewer sees it and approval schedules it)."""
        try:
            local = self._chosen_time()
        except ServiceError as err:
            self.sched_error = str(err)
            return rx.toast.error(str(err))
        tz = self.sched_tz
        done = "Sent for review." + (f" Once approved it goes out {self.sched_hint}."
                                     if local and self.sched_hint else "")  # fmt: skip
        return self._act(lambda s, a, p: review.submit(s, a, p, local=local, tz=tz), done)

    @rx.event
    def schedule(self, form: dict):
        """Save the time (in the chosen zone); where no approval is needed, queue the post."""
        date = str(form.get("date", self.sched_date) or "")
        time = str(form.get("time", self.sched_time) or "")
        tz = str(form.get("timezone", self.sched_tz) or "UTC")
        self.sched_date, self.sched_time, self.sched_tz = date, time, tz
        try:
            local = post_views.parse_local(date, time)
        except ServiceError as err:
            self.sched_error = str(err)
            return None
        self.sched_error = ""

        def run(session, actor, post_id):
            review.schedule(session, actor, post_id, local, tz, release=True)

        done = "Time saved: it goes out once approved." if self.approvals_required else "Scheduled."
        return self._act(run, done)

    @rx.event
    def clear_schedule(self):
        """Take the time off (scheduled targets go back to approved)."""
        return self._act(lambda s, a, p: review.schedule(s, a, p, None, self.sched_tz),
                         "The time is cleared.")  # fmt: skip

    @rx.event
    def publish_now(self):
        """Save, then publish right away; the service refuses (and nothing is saved) when the
        post needs approval first, an edit of an approved post included, and says so."""
        return self._act(review.publish_now, "Publishing now.")
