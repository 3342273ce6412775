"""The composer's media: upload into the library, pick from it, and Instagram crops."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.social import library

UPLOAD_ID = "social-upload"


def _asset_row(actor, asset) -> dict[str, str]:
    return {
        "id": str(asset.id), "filename": asset.filename, "kind": asset.kind,
        "thumb": library.thumbnail_url(actor, asset),
        "size": f"{asset.width}×{asset.height}" if asset.width else "",
    }  # fmt: skip


class ComposerMediaMixin(rx.State, mixin=True):
    """Media attached to the post, the library, and per-format crop previews."""

    media: list[dict[str, str]] = []
    library_items: list[dict[str, str]] = []
    crops: list[dict[str, str]] = []
    media_error: str = ""

    def _load_media(self, session, actor, ids: list[str]) -> None:
        self.media = [_asset_row(actor, a) for a in library.assets_by_id(session, actor, ids)]

    def _crop_format(self) -> str:
        fmt = self.fmt  # type: ignore[attr-defined]
        return fmt if fmt in ("story", "reel") else ("carousel" if fmt == "carousel" else "feed")

    def _load_crops_quietly(self) -> None:
        """Crop previews for Instagram (only when it is chosen and there are images)."""
        has_instagram = any(p.network == "instagram" for p in self.previews)  # type: ignore[attr-defined]
        images = [m for m in self.media if m["kind"] == "image"]
        if not has_instagram or not images:
            self.crops = []
            return
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return
        fmt = self._crop_format()
        rows = []
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                for m in images:
                    rows.append(
                        library.crop_view(session, actor, uuid.UUID(m["id"]), "instagram", fmt)
                    )
        except ServiceError as err:
            self.media_error = str(err)
        self.crops = rows

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """Add the dropped files to the library and to the post; say clearly what was refused."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        problems, added = [], []
        for upload in files:
            data = await upload.read()
            try:
                with tenant_session(actor.org_id, actor.user_id) as session:
                    asset = library.add_asset(session, actor, data, upload.name or "upload")
                    added.append(_asset_row(actor, asset))
            except ServiceError as err:
                problems.append(str(err))
        self.media_error = " ".join(problems)
        if added:
            self.media = [*self.media, *added]
            self.dirty = True
            self._recompute()  # type: ignore[attr-defined]
            self._load_crops_quietly()
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    def open_library(self):
        """The organisation's library, newest first."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.library_items = [_asset_row(actor, a) for a in library.list_assets(session, actor)]
        return None

    @rx.event
    def pick_media(self, asset_id: str):
        """Attach a library file (again: no duplicates)."""
        if any(m["id"] == asset_id for m in self.media):
            return
        row = next((m for m in self.library_items if m["id"] == asset_id), None)
        if row is not None:
            self.media = [*self.media, row]
            self.dirty = True
            self._recompute()  # type: ignore[attr-defined]
            self._load_crops_quietly()

    @rx.event
    def remove_media(self, asset_id: str):
        """Detach a file (it stays in the library)."""
        self.media = [m for m in self.media if m["id"] != asset_id]
        self.dirty = True
        self._recompute()  # type: ignore[attr-defined]
        self._load_crops_quietly()

    @rx.event
    def apply_crop(self, asset_id: str):
        """Store the Instagram crop of the current format as the picture's variant."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                library.crop_for(session, actor, uuid.UUID(asset_id), "instagram",
                                 self._crop_format())  # fmt: skip
        except ServiceError as err:
            self.media_error = str(err)
            return rx.toast.error(str(err))
        self._load_crops_quietly()
        return rx.toast.success("Crop applied: Instagram gets the cropped picture.")
