"""Token refresh: keep every account's access token fresh before a post needs it.

A refresh holds the account's row lock, so two workers never spend one single-use refresh
token (X and Bluesky rotate them); it keeps the newest refresh token and never wipes it. A
refresh the network refuses (revoked, expired refresh token) marks the account for reconnection
and tells its owner at once; a transient failure is left to the caller's retries.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import select

from crmapp.models.base import utcnow
from crmapp.models.social import SocialAccount
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, unexpected
from crmapp.services.social import accounts
from crmapp.services.social.base import AccountAuth, AuthExpired, SocialError
from crmapp.services.social.registry import get_provider
from crmapp.services.tenancy import orgs

FRESH_ENOUGH = timedelta(minutes=5)


def refresh_account(
    org_id: uuid.UUID, account_id: uuid.UUID, *, refused_token: str = ""
) -> AccountAuth:
    """Refresh one account's token and return its new credentials.

    Args:
        org_id: The account's organisation.
        account_id: The account.
        refused_token: The access token the network just refused. The network is then always asked
            for a new one (however recent the last refresh) unless the stored token is already
            another one: a caller refused the same stale token moments later gets that one,
            so the row lock lets one refresh through, never two.

    Raises AuthExpired (after marking the account and notifying its owner) when the network
    refuses, or the provider's Transient/RateLimited errors for the caller to retry.
    """
    refused: AuthExpired | None = None
    with tenant_session(org_id) as session:
        account = session.exec(
            select(SocialAccount)
            .where(SocialAccount.id == account_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if account is None:
            raise NotFound("No such social account")
        auth = accounts.credentials(session, account)
        if refused_token:
            if auth.access_token != refused_token:
                return auth  # another worker replaced the refused token already
        elif account.last_refreshed_at and utcnow() - account.last_refreshed_at < FRESH_ENOUGH:
            return auth  # another worker refreshed it a moment ago
        try:
            tokens = get_provider(account.network).refresh_token(auth)
        except AuthExpired as error:
            refused = error
        else:
            accounts.store_refreshed(session, account, tokens)
            return accounts.credentials(session, account)
    with tenant_session(org_id) as session:
        account = session.get(SocialAccount, account_id)
        if account is not None:
            accounts.needs_reconnect(
                session, account, f"the network refused to renew access ({refused})"
            )
    raise refused


def record_failure(
    org_id: uuid.UUID, account_id: uuid.UUID, error: Exception, *, final: bool
) -> None:
    """Count a failed refresh; the last one marks the account for reconnection (owner told)."""
    with tenant_session(org_id) as session:
        account = session.get(SocialAccount, account_id)
        if account is None:
            return
        account.refresh_failures += 1
        session.add(account)
        if final:
            why = (
                str(error) if isinstance(error, SocialError) else unexpected(error, "token refresh")
            )
            accounts.needs_reconnect(session, account, f"its access could not be renewed ({why})")


def expiring_accounts(
    within: timedelta, now: datetime | None = None
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organisation, account) of every active account whose token expires within `within`,
    visited one tenant scope at a time."""
    before = (now or utcnow()) + within
    found = []
    for org_id in orgs.all_org_ids():
        with tenant_session(org_id) as session:
            found += [(org_id, a.id) for a in accounts.expiring(session, before)]
    return found
