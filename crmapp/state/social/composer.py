"""The social composer: one editor for a new post (`/social/composer`) and a saved one
(`/social/posts/<id>`): accounts, text and per-network variants with live counts and previews,
links to the CRM, scheduling. What it holds and how it reads and saves is `ComposerBase`; media,
assist and review are the states it builds on (`composer_media`, `composer_assist`,
`composer_review`)."""

from __future__ import annotations

import reflex as rx

from crmapp.services.social import post_views, review, textrules
from crmapp.state.session import attempt
from crmapp.state.social.composer_base import META_FIELDS
from crmapp.state.social.composer_review import ComposerReviewState


class ComposerState(ComposerReviewState):
    """One post in the composer."""

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
        self._changed()

    @rx.event
    def auto_truncate(self, network: str):
        """Write the text cut to the network's limit into its variant."""
        source = self.overrides.get(network, "") or self.text
        self.overrides = {**self.overrides, network: textrules.truncate(network, source)}
        self.active_network = network
        self._changed()

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

    @rx.event
    def save(self):
        """Save the draft."""
        if not self.editable:
            return None
        return self._on_post(None, "Draft saved.", save=True)

    @rx.event
    def submit_review(self):
        """Save and ask an Owner or Admin to approve, with the time chosen under When (saved
        with the post: the reviewer sees it and approval schedules it)."""
        when = attempt(self._chosen_time)
        if not when.ok:
            self.sched_error = when.error
            return when.toast
        local, tz = when.value, self.sched_tz
        done = "Sent for review." + (
            f" Once approved it goes out {self.sched_hint}." if local and self.sched_hint else ""
        )
        return self._on_post(
            lambda s, a, p: review.submit(s, a, p, local=local, tz=tz), done, save=True
        )

    @rx.event
    def schedule(self, form: dict):
        """Save the time (in the chosen zone); where no approval is needed, queue the post (the
        service decides, and says whether it is queued or waits for an approval)."""
        date = str(form.get("date", self.sched_date) or "")
        time = str(form.get("time", self.sched_time) or "")
        tz = str(form.get("timezone", self.sched_tz) or "UTC")
        self.sched_date, self.sched_time, self.sched_tz = date, time, tz
        when = attempt(post_views.parse_local, date, time)
        self.sched_error = when.error
        if not when.ok:
            return None
        local = when.value
        return self._on_post(
            lambda s, a, p: review.schedule_released(s, a, p, local, tz),
            lambda queued: "Scheduled." if queued else "Time saved: it goes out once approved.",
            save=True,
        )

    @rx.event
    def clear_schedule(self):
        """Take the time off (scheduled targets go back to approved)."""
        tz = self.sched_tz
        return self._on_post(
            lambda s, a, p: review.schedule(s, a, p, None, tz), "The time is cleared.", save=True
        )

    @rx.event
    def publish_now(self):
        """Save, then publish right away; the service refuses (and nothing is saved) when the
        post needs approval first, an edit of an approved post included, and says so."""
        return self._on_post(review.publish_now, "Publishing now.", save=True)
