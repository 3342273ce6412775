"""Proposals → Knowledge base: upload documents, follow their embedding, search them."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx
from sqlmodel import Session

from crmapp.models.kb import KBDocument
from crmapp.services.ai import embeddings, gateway
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import knowledge_base
from crmapp.state.session import Outcome, SessionState, call_as
from jobs.kb import enqueue_embedding

UPLOAD_ID = "kb-upload"


def _store(actor: Actor, filename: str, content: bytes) -> Outcome[KBDocument]:
    """Check and keep one upload, and queue the job that reads and embeds it."""
    done = call_as(actor, knowledge_base.add_document, filename=filename, content=content)
    if done.ok:
        enqueue_embedding(done.value.id, actor.org_id)
    return done


def _documents(session: Session, actor: Actor) -> list[dict[str, str]]:
    return [
        {
            "id": str(d.id),
            "title": d.title,
            "filename": d.filename,
            "status": d.status,
            "chunks": str(d.chunk_count),
            "error": d.error,
            "size": f"{d.characters:,} characters" if d.characters else "not read yet",
        }
        for d in knowledge_base.list_documents(session, actor)
    ]


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

    @rx.event
    def load(self):
        """Fetch the documents; keep following while some are being embedded."""
        done = self._service(_documents)
        if not done.ok:
            return done.toast
        self.documents = done.value
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
                    return None
                done = await asyncio.to_thread(call_as, actor, _documents)
                if not done.ok:
                    return done.toast
                self.documents = done.value
                if not self.pending:
                    return None
        return None

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Check each file and queue the job that reads and embeds it (the checks are cheap and
        run off the event loop, so the upload returns at once)."""
        self.error = ""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        problems = []
        for upload in files:
            content = await upload.read()
            done = await asyncio.to_thread(_store, actor, upload.name or "document.txt", content)
            if not done.ok:
                problems.append(f"{upload.name}: {done.error}" if done.fields else done.error)
        self.error = " ".join(problems)
        return KnowledgeState.load

    @rx.event
    def search(self, form: dict):
        """The passages closest to the question."""
        self.query = str(form.get("query", ""))
        done = self._service(knowledge_base.search, self.query, k=5)
        if not done.ok:
            return done.toast
        self.results = [
            {"title": h.title, "text": h.text, "score": f"{h.score:.2f}"} for h in done.value
        ]
        self.searched = True
        return None

    @rx.event
    def delete(self, document_id: str):
        """Remove a document and its passages."""
        done = self._service(knowledge_base.delete_document, uuid.UUID(document_id))
        if not done.ok:
            return done.toast
        return [KnowledgeState.load, rx.toast.success(f"Removed “{done.value}”.")]
