"""AI assist in the composer: a caption from the text as a brief, hashtags, a long text turned
into a thread for the open network. The gateway call runs off the event loop; the result lands
in the main text (caption, hashtags) or in the open network's variant (thread)."""

from __future__ import annotations

import asyncio

import reflex as rx

from crmapp.services.db import tenant_session
from crmapp.services.errors import ServiceError
from crmapp.services.social import assist


class ComposerAssistMixin(rx.State, mixin=True):
    """Adds the assist actions to the composer state."""

    assisting: str = ""  # the action running ("" when idle)
    assist_note: str = ""

    def _assist_network(self) -> str:
        """The network the assist writes for: the open tab, else the first chosen one."""
        network = getattr(self, "active_network", "")
        if not network:
            previews = getattr(self, "previews", [])
            network = previews[0].network if previews else "x"
        return network

    @rx.event(background=True)
    async def run_assist(self, action: str):
        """`caption`, `hashtags` or `thread` for the open network."""
        async with self:
            if self.assisting or action not in ("caption", "hashtags", "thread"):
                return
            actor = self._actor()
            if actor is None:
                return
            text, network = getattr(self, "text", ""), self._assist_network()
            self.assisting, self.assist_note = action, ""

        def call() -> assist.Assisted:
            with tenant_session(actor.org_id, actor.user_id) as session:
                if action == "caption":
                    return assist.caption(session, actor, brief=text, network=network)
                if action == "hashtags":
                    return assist.hashtags(session, actor, text=text, network=network)
                return assist.thread(session, actor, text=text, network=network)

        try:
            result = await asyncio.to_thread(call)
        except ServiceError as err:
            async with self:
                self.assisting = ""
            yield rx.toast.error(str(err))
            return
        async with self:
            self.assisting = ""
            writer = "the offline writer" if result.provider == "offline" else "the AI model"
            self.assist_note = f"Written by {writer}. Review it before posting."
            self._apply_assist(action, network, result)
        yield rx.toast.success("Assist done.")

    def _apply_assist(self, action: str, network: str, result: assist.Assisted) -> None:
        """Put the result where it belongs (the composer recomputes counts and previews)."""
        raise NotImplementedError  # the composer state provides it
