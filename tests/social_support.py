"""Shared by the social integration tests: a scripted network registered in this process,
and steps through the real services (connect an account, compose, make due, read back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlmodel import select

from crmapp.models.notifications import Notification
from crmapp.services.social import accounts, posts, review
from crmapp.services.social.base import (
    AccountAuth,
    Identity,
    NormalizedPost,
    OutcomeUnknown,
    PublishResult,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.posts import PostInput
from crmapp.services.social.registry import register
from crmapp.services.social.textcount import TextRules
from tests import factories


@register
class ScriptedNetwork(SocialProvider):
    """A network whose next answers the test decides; it remembers what it 'posted'."""

    name: ClassVar[str] = "scripted"
    label: ClassVar[str] = "Scripted"
    text_rules = TextRules(limit=500)
    can_lookup: ClassVar[bool] = False
    script: ClassVar[list] = []
    posted: ClassVar[list[str]] = []
    refreshes: ClassVar[list[str]] = []
    lookups: ClassVar[int] = 0

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        step = self.script.pop(0) if self.script else "ok"
        if step in ("ok", "sent-then-lost"):
            self.posted.append(post.idempotency_key)
        if step == "sent-then-lost":
            raise OutcomeUnknown("No answer after sending")
        if isinstance(step, Exception):
            raise step
        return PublishResult(f"r{len(self.posted)}", f"https://scripted.example/{len(self.posted)}")

    def lookup(self, post: NormalizedPost, account: AccountAuth) -> PublishResult | None:
        type(self).lookups += 1
        if not self.can_lookup:
            return super().lookup(post, account)
        found = post.idempotency_key in self.posted
        return PublishResult("found", "https://scripted.example/found") if found else None

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, Exception):
            raise step
        self.refreshes.append(account.refresh_token)
        rotated = f"refresh-{len(self.refreshes)}" if step == "ok" else ""
        expires = datetime.now(UTC) + timedelta(hours=2)
        return TokenSet(
            access_token=f"access-{len(self.refreshes)}", refresh_token=rotated, expires_at=expires
        )

    def fetch_inbox(self, account, post_ids, since):
        return []

    def fetch_metrics(self, account, remote_ids):
        return {}


def reset_script() -> None:
    """Forget what the scripted network was told and what it did."""
    ScriptedNetwork.script, ScriptedNetwork.posted, ScriptedNetwork.refreshes = [], [], []
    ScriptedNetwork.lookups, ScriptedNetwork.can_lookup = 0, False
    ScriptedNetwork.idempotent = False


def connect(signed, network="scripted", *, expires_in=timedelta(hours=2)):
    with factories.scoped(signed) as session:
        if network == "sandbox":
            return accounts.connect_sandbox(session, signed.actor, name="Acme")
        identity = Identity(
            kind="user",
            remote_id=f"u-{factories.email()}",
            handle="@acme",
            display_name="Acme",
            tokens=TokenSet(
                "secret-access-token", "secret-refresh-token", datetime.now(UTC) + expires_in
            ),
        )
        return accounts.save_identity(session, signed.actor, network, identity)


def compose(signed, *account_list, text="Hello from Tandem"):
    with factories.scoped(signed) as session:
        data = PostInput(text=text, account_ids=[a.id for a in account_list])
        return posts.create_post(session, signed.actor, data)


def targets(signed, post):
    with factories.scoped(signed) as session:
        return posts.targets_of(session, post.id)


def make_due(signed, post):
    """Submit (no approvals) and publish now."""
    with factories.scoped(signed) as session:
        review.submit(session, signed.actor, post.id)
        review.publish_now(session, signed.actor, post.id)


def notes(signed, kind):
    with factories.scoped(signed) as session:
        query = select(Notification).where(
            Notification.user_id == signed.actor.user_id, Notification.kind == kind
        )
        return list(session.exec(query).all())
