"""The organisation's approval switches: proposals before sending (Settings → Proposals & AI)
and social posts before they are scheduled (Social → Accounts). Only Owners and Admins may
change them; the service says so to anyone else."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import orgs
from crmapp.state.session import SessionState


class ApprovalsState(SessionState):
    """Whether each kind of work needs an approval (`orgs.APPROVAL_FLAGS` → on or off)."""

    required: dict[str, bool] = dict.fromkeys(orgs.APPROVAL_FLAGS, False)

    @rx.event
    def load(self):
        """Read every approval switch of the organisation."""

        def read(session: Session, actor: Actor) -> dict[str, bool]:
            return {
                flag: orgs.approval_required(session, actor.org_id, flag)
                for flag in orgs.APPROVAL_FLAGS
            }

        done = self._service(read)
        if not done.ok:
            return done.toast
        self.required = done.value
        return None

    @rx.event
    def set_required(self, flag: str, value: bool):
        """Require (or not) an Owner's or Admin's approval for `flag`'s kind of work."""
        done = self._service(orgs.set_approval_required, flag, bool(value))
        if not done.ok:
            return done.toast
        self.required = {**self.required, flag: bool(value)}
        return rx.toast.success("Saved.")
