"""AI assist in the composer: a caption from the text as a brief, hashtags, a long text turned
into a thread for the open network. The gateway call runs off the event loop. A caption is
offered beside the text (insert it below, or replace the text with it); hashtags land in the
main text, a thread in the open network's variant. Whatever the assist changed can be undone
(one step: until the next assist or the next keystroke in the text)."""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform.actor import Actor
from crmapp.services.social import assist
from crmapp.state.session import call_as
from crmapp.state.social.composer_media import ComposerMediaState


class ComposerAssistState(ComposerMediaState):
    """The assist actions of the composer."""

    assisting: str = ""  # the action running ("" when idle)
    assist_note: str = ""
    suggestion: str = ""  # a caption waiting beside the text ("" = none)
    undo_label: str = ""  # what Undo takes back ("" = nothing to undo)
    undo_text: str = ""
    undo_overrides: dict[str, str] = {}

    def _reset_assist(self) -> None:
        self.assist_note = self.suggestion = self.undo_label = ""
        self.undo_text, self.undo_overrides = "", {}

    def _assist_network(self) -> str:
        """The network the assist writes for: the open tab, else the first chosen one."""
        if self.active_network:
            return self.active_network
        return self.previews[0].network if self.previews else "x"

    @rx.event(background=True)
    async def run_assist(self, action: str):
        """`caption`, `hashtags` or `thread` for the open network."""
        async with self:
            if self.assisting or action not in ("caption", "hashtags", "thread"):
                return
            actor = self._actor()
            if actor is None:
                return
            text, network = self.text, self._assist_network()
            self.assisting, self.assist_note = action, ""

        def write(session: Session, actor: Actor) -> assist.Assisted:
            if action == "caption":
                return assist.caption(session, actor, brief=text, network=network)
            if action == "hashtags":
                return assist.hashtags(session, actor, text=text, network=network)
            return assist.thread(session, actor, text=text, network=network)

        done = await asyncio.to_thread(call_as, actor, write)
        async with self:
            self.assisting = ""
            if done.ok:
                provider = done.value.provider
                writer = "the offline writer" if provider == "offline" else "the AI model"
                self.assist_note = f"Written by {writer}. Review it before posting."
                self._apply_assist(action, network, done.value)
        yield done.toast if not done.ok else rx.toast.success("Assist done.")

    def _remember(self, label: str) -> None:
        """Keep the text and variants as they are now, for Undo."""
        self.undo_text = self.text
        self.undo_overrides = dict(self.overrides)
        self.undo_label = label

    def _apply_assist(self, action: str, network: str, result: assist.Assisted) -> None:
        """Offer a caption; put hashtags and threads where they belong (undoably)."""
        if action == "caption":
            self.suggestion = result.text
            return
        if action == "hashtags":
            self._remember("Undo the hashtags")
            self.text = f"{self.text.rstrip()}\n\n{result.text}".strip()
        else:  # a thread for one network: its variant, one part per paragraph
            self._remember("Undo the thread")
            self.overrides = {**self.overrides, network: "\n\n".join(result.parts)}
            self.active_network = network
        self._changed()

    @rx.event
    def use_suggestion(self, how: str):
        """`insert` the offered caption below the text, or `replace` the text with it."""
        if not self.suggestion or how not in ("insert", "replace"):
            return
        self._remember("Undo the caption")
        caption = self.suggestion
        self.text = caption if how == "replace" else f"{self.text.rstrip()}\n\n{caption}".strip()
        self.suggestion = ""
        self._changed()

    @rx.event
    def discard_suggestion(self):
        """Drop the offered caption."""
        self.suggestion = ""

    @rx.event
    def undo_assist(self):
        """Put the text and variants back as they were before the last assist."""
        if not self.undo_label:
            return
        self.text, self.overrides = self.undo_text, dict(self.undo_overrides)
        self.undo_label = ""
        self._changed()
