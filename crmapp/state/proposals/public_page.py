"""The public page of a sent proposal: no login; views tracked; sign or decline; PDF."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError
from crmapp.services.proposals import export, render, sharing


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
            return sharing.locate(session, self._token())

    def _show(self, session) -> None:
        proposal = sharing.open_link(session, self._token()).proposal
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
        try:
            org_id = self._org()
            with tenant_session(org_id) as session:
                self._view_id = str(
                    sharing.record_view(session, self._token(), ip=ip, user_agent=agent).id
                )
                self._show(session)
        except ServiceError as err:
            self.error = str(err)

    @rx.event
    def heartbeat(self, _value=None):
        """The reader is still on the page (extends the view's duration)."""
        if not self._view_id:
            return
        try:
            with tenant_session(self._org()) as session:
                sharing.heartbeat(session, self._token(), uuid.UUID(self._view_id))
        except ServiceError:
            self._view_id = ""

    @rx.event
    def sign(self, form: dict):
        """Sign with the typed name and consent."""
        ip, agent = self._client()
        self.field_errors = {}
        try:
            with tenant_session(self._org()) as session:
                sharing.sign(
                    session, self._token(), name=str(form.get("name", "")),
                    email=str(form.get("email", "")), consent=bool(form.get("consent")),
                    ip=ip, user_agent=agent,
                )  # fmt: skip
            with tenant_session(self._org()) as session:
                self._show(session)
        except ServiceError as err:
            self.field_errors = getattr(err, "fields", {}) or {"form": str(err)}
            return None
        return rx.toast.success("Signed. A copy with the signing certificate is ready.")

    @rx.event
    def decline(self, form: dict):
        """Decline the proposal."""
        ip, agent = self._client()
        self.field_errors = {}
        try:
            with tenant_session(self._org()) as session:
                sharing.decline(session, self._token(), reason=str(form.get("reason", "")),
                                ip=ip, user_agent=agent)  # fmt: skip
            with tenant_session(self._org()) as session:
                self._show(session)
        except ValidationError as err:
            self.field_errors = err.fields
            return None
        except ServiceError as err:
            return rx.toast.error(str(err))
        return None

    @rx.event
    def download_pdf(self):
        """The PDF (with the signing certificate once signed)."""
        try:
            with tenant_session(self._org()) as session:
                name, data = export.public_pdf(session, self._token())
        except ServiceError as err:
            return rx.toast.error(str(err))
        return rx.download(data=data, filename=name, mime_type="application/pdf")
