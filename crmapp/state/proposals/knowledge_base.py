"""Proposals → Knowledge base: upload documents, follow their embedding, search them."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.ai import embeddings, gateway
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError
from crmapp.services.proposals import knowledge_base
from crmapp.state.session import SessionState
from jobs.kb import enqueue_embedding

UPLOAD_ID = "kb-upload"


def _store(actor, filename: str, content: bytes) -> uuid.UUID:
    """Check and keep one upload, and queue the job that reads and embeds it."""
    with tenant_session(actor.org_id, actor.user_id) as session:
        document = knowledge_base.add_document(session, actor, filename=filename, content=content)
    enqueue_embedding(document.id, actor.org_id)
    return document.id


class KnowledgeState(SessionState):
    """Documents, search results, and what the AI runs on."""

    documents: list[dict[str, str]] = []
    query: str = ""
    results: list[dict[str, str]] = []
    searched: bool = False
    error: str = ""
    ai_mode: str = ""
    embed_model: str = ""

    @rx.var
    def pending(self) -> bool:
        """Whether a document is still being embedded."""
        return any(d["status"] in ("queued", "embedding") for d in self.documents)

    def _fetch(self, actor) -> list[dict[str, str]]:
        with tenant_session(actor.org_id, actor.user_id) as session:
            return [
                {"id": str(d.id), "title": d.title, "filename": d.filename, "status": d.status,
                 "chunks": str(d.chunk_count), "error": d.error,
                 "size": f"{d.characters:,} characters" if d.characters else "not read yet"}
                for d in knowledge_base.list_documents(session, actor)
            ]  # fmt: skip

    @rx.event
    def load(self):
        """Fetch the documents; keep following while some are being embedded."""
        actor = self._actor()
        if actor is None:
            return None
        self.documents = self._fetch(actor)
        self.ai_mode = (
            "offline drafter (no AI provider configured)"
            if gateway.offline_only()
            else ", then ".join(p.model for p in gateway.providers())
        )
        self.embed_model = embeddings.current_model()
        return KnowledgeState.follow if self.pending else None

    @rx.event(background=True)
    async def follow(self):
        """Poll until every document is embedded (the page stays responsive)."""
        for _ in range(600):
            await asyncio.sleep(0.5)
            async with self:
                actor = self._actor()
                if actor is None:
                    return
                self.documents = await asyncio.to_thread(self._fetch, actor)
                if not self.pending:
                    return

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Check each file and queue the job that reads and embeds it (the checks are cheap and
        run off the event loop, so the upload returns at once)."""
        self.error = ""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        problems = []
        for upload in files:
            content = await upload.read()
            try:
                await asyncio.to_thread(_store, actor, upload.name or "document.txt", content)
            except ValidationError as err:
                problems.append(f"{upload.name}: {err}")
            except ServiceError as err:
                problems.append(str(err))
        self.error = " ".join(problems)
        return KnowledgeState.load

    @rx.event
    def search(self, form: dict):
        """The passages closest to the question."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.query = str(form.get("query", ""))
        with tenant_session(actor.org_id, actor.user_id) as session:
            hits = knowledge_base.search(session, actor, self.query, k=5)
        self.results = [{"title": h.title, "text": h.text, "score": f"{h.score:.2f}"} for h in hits]
        self.searched = True
        return None

    @rx.event
    def delete(self, document_id: str):
        """Remove a document and its passages."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                title = knowledge_base.delete_document(session, actor, uuid.UUID(document_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        return [KnowledgeState.load, rx.toast.success(f"Removed “{title}”.")]
