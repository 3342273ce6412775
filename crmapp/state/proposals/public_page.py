"""The public page of a sent proposal: no login; views tracked; sign or decline; PDF."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Concatenate

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform.db import tenant_session
from crmapp.services.proposals import export, public_link, render, sharing
from crmapp.state.session import Outcome, P, T, attempt


class PublicProposalState(rx.State):
    """One link's proposal, as its reader sees it."""

    html: str = ""
    title: str = ""
    org_name: str = ""
    status: str = ""
    error: str = ""
    field_errors: dict[str, str] = {}
    signed_by: str = ""
    _view_id: str = ""

    def _token(self) -> str:
        return str(self.router.page.params.get("token", ""))

    def _client(self) -> tuple[str, str]:
        return self.router.session.client_ip or "", self.router.headers.user_agent or ""

    def _org(self) -> uuid.UUID:
        with tenant_session(None) as session:
            return public_link.locate(session, self._token())

    def _as_reader(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Outcome[T]:
        """`fn(session, *args, **kwargs)` in the organisation that shared this link, as
        `attempt` reports it (the reader has no account: the link is their only key)."""

        def run() -> T:
            with tenant_session(self._org()) as session:
                return fn(session, *args, **kwargs)

        run.__qualname__ = getattr(fn, "__qualname__", "public proposal")
        return attempt(run)

    def _show(self, session: Session) -> None:
        proposal = public_link.open_link(session, self._token()).proposal
        doc = export.render_doc(session, proposal)
        self.html, self.title, self.org_name = render.document_html(doc), doc.title, doc.org_name
        self.status = proposal.status
        signature = sharing.signature_of(session, proposal.id)
        self.signed_by = signature.signer_name if signature else ""

    @rx.event
    def load(self):
        """Open the link: record the view, show the document."""
        self.error, self.field_errors, self.html = "", {}, ""
        ip, agent = self._client()

        def open_link(session: Session) -> uuid.UUID:
            view = public_link.record_view(session, self._token(), ip=ip, user_agent=agent)
            self._show(session)
            return view.id

        done = self._as_reader(open_link)
        self.error = done.error
        if done.ok:
            self._view_id = str(done.value)

    @rx.event
    def heartbeat(self, _value=None):
        """The reader is still on the page (extends the view's duration)."""
        if not self._view_id:
            return
        done = self._as_reader(public_link.heartbeat, self._token(), uuid.UUID(self._view_id))
        if not done.ok:
            self._view_id = ""

    @rx.event
    def sign(self, form: dict):
        """Sign with the typed name and consent."""
        ip, agent = self._client()
        done = self._as_reader(
            public_link.sign,
            self._token(),
            name=str(form.get("name", "")),
            email=str(form.get("email", "")),
            consent=bool(form.get("consent")),
            ip=ip,
            user_agent=agent,
        )
        shown = self._as_reader(self._show) if done.ok else done
        self.field_errors = shown.fields or ({"form": shown.error} if shown.error else {})
        if not shown.ok:
            return None
        return rx.toast.success("Signed. A copy with the signing certificate is ready.")

    @rx.event
    def decline(self, form: dict):
        """Decline the proposal."""
        ip, agent = self._client()
        reason = str(form.get("reason", ""))
        done = self._as_reader(
            public_link.decline, self._token(), reason=reason, ip=ip, user_agent=agent
        )
        shown = self._as_reader(self._show) if done.ok else done
        self.field_errors = shown.fields
        if not shown.ok:
            return None if shown.fields else shown.toast
        return None

    @rx.event
    def download_pdf(self):
        """The PDF (with the signing certificate once signed)."""
        done = self._as_reader(export.public_pdf, self._token())
        if not done.ok:
            return done.toast
        name, data = done.value
        return rx.download(data=data, filename=name, mime_type="application/pdf")
