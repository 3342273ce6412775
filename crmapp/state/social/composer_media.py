"""The composer's media: upload into the library, pick from it, and the crops for the network
with a choice of format (Instagram)."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform.actor import Actor
from crmapp.services.social import library
from crmapp.state.session import call_as
from crmapp.state.social.composer_base import ComposerBase, asset_row

UPLOAD_ID = "social-upload"


class ComposerMediaState(ComposerBase):
    """Media attached to the post, the library, and per-format crop previews."""

    library_items: list[dict[str, str]] = []

    def _media_changed(self) -> None:
        self.dirty = True
        self._recompute()
        self._load_crops_quietly()

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Add the dropped files to the library and to the post; say clearly what was refused."""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        problems, added = [], []
        for upload in files:
            data = await upload.read()
            done = call_as(actor, library.add_asset, data, upload.name or "upload")
            if done.ok:
                added.append(asset_row(actor, done.value))
            else:
                problems.append(done.error)
        self.media_error = " ".join(problems)
        if added:
            self.media = [*self.media, *added]
            self._media_changed()
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    def open_library(self):
        """The organisation's library, newest first."""

        def read(session: Session, actor: Actor) -> list[dict[str, str]]:
            return [asset_row(actor, a) for a in library.list_assets(session, actor)]

        done = self._service(read)
        if not done.ok:
            return done.toast
        self.library_items = done.value
        return None

    @rx.event
    def pick_media(self, asset_id: str):
        """Attach a library file (again: no duplicates)."""
        if any(m["id"] == asset_id for m in self.media):
            return
        row = next((m for m in self.library_items if m["id"] == asset_id), None)
        if row is not None:
            self.media = [*self.media, row]
            self._media_changed()

    @rx.event
    def remove_media(self, asset_id: str):
        """Detach a file (it stays in the library)."""
        self.media = [m for m in self.media if m["id"] != asset_id]
        self._media_changed()

    @rx.event
    def apply_crop(self, asset_id: str):
        """Store the crop of the current format, for the network with a choice of format, as
        the picture's variant."""
        network = self.format_network
        if not network:
            return
        done = self._service(library.crop_for, uuid.UUID(asset_id), network, self._post_format())
        if not done.ok:
            self.media_error = done.error
            return done.toast
        self._load_crops_quietly()
        return rx.toast.success(f"Crop applied: {self.format_label} gets the cropped picture.")
