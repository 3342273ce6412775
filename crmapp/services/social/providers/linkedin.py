"""LinkedIn through the versioned Posts, Images, socialActions and share-statistics APIs
(contract §2). Posts as a member (`urn:li:person:…`) or a company page it administers
(`urn:li:organization:…`); no threads. Metrics exist for organization posts only.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from crmapp.services.social import http
from crmapp.services.social.base import (
    AccountAuth,
    AuthExpired,
    Identity,
    InboxItem,
    Metrics,
    NormalizedPost,
    NotSupported,
    OAuthFlow,
    PublishResult,
    Rejected,
    SocialError,
    SocialProvider,
    TokenSet,
)
from crmapp.services.social.providers import linkedin_api as api
from crmapp.services.social.textcount import TextRules
from crmapp.settings import get_settings

SCOPES = "openid profile w_member_social r_organization_social w_organization_social rw_organization_admin"  # noqa: E501
PAGE = 50


def author_urn(account: AccountAuth) -> str:
    """The author URN for an account (`kind` "organization" or "person")."""
    if account.remote_id.startswith("urn:li:"):
        return account.remote_id
    kind = "organization" if account.kind == "organization" else "person"
    return f"urn:li:{kind}:{account.remote_id}"


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def _quoted(urn: str) -> str:
    return urllib.parse.quote(urn, safe="")


class LinkedInProvider(SocialProvider):
    """LinkedIn Posts API (`LinkedIn-Version` header, Rest.li 2.0)."""

    name = "linkedin"
    label = "LinkedIn"
    rank = 20
    kind_labels = {"organization": "LinkedIn page"}
    text_rules = TextRules(limit=3000)  # code points
    max_media = 20  # multiImage takes 2 to 20 images
    aspect_ratios = {"feed": (1 / 2.4, 2.4), "video": (1 / 2.4, 2.4)}
    pkce = False  # LinkedIn's web flow uses the state only
    settings = ("linkedin_client_id",)

    # --- publishing -------------------------------------------------------------------------

    def publish(self, post: NormalizedPost, account: AccountAuth) -> PublishResult:
        """Upload the images, then create the post; its URN comes from `x-restli-id`.

        Raises:
            Rejected: text over 3000 characters, a video, too many images, or LinkedIn refused.
            NotSupported: video attachments (not implemented yet).
        """
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}" if text else post.link
        if len(text) > self.text_rules.limit:
            raise Rejected(
                f"The text is too long for LinkedIn ({len(text)} of {self.text_rules.limit}): "
                "shorten it"
            )
        if any(m.is_video for m in post.media):
            raise NotSupported("LinkedIn video posts are not supported yet: attach images only")
        if len(post.media) > self.max_media:
            raise Rejected(f"LinkedIn takes at most {self.max_media} images per post: remove some")
        author = author_urn(account)
        token = account.access_token
        images = [(self._upload_image(item.data, author, token), item.alt) for item in post.media]
        body: dict[str, Any] = {
            "author": author,
            "commentary": api.escape_little_text(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        entries = [{"id": urn, **({"altText": alt} if alt else {})} for urn, alt in images]
        if len(entries) == 1:
            body["content"] = {"media": entries[0]}
        elif entries:
            body["content"] = {"multiImage": {"images": entries}}
        response = api.rest("POST", "/rest/posts", token, json=body)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise SocialError("LinkedIn accepted the post but did not say its id")
        return PublishResult(remote_id=urn, url=post_url(urn), part_ids=(urn,))

    def _upload_image(self, data: bytes, owner: str, token: str) -> str:
        answer = api.rest(
            "POST",
            "/rest/images",
            token,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": owner}},
        ).json()
        value = answer["value"]
        # One PUT with the whole file: chunking an image overwrites it (contract §2.2).
        uploaded = http.request(
            "PUT",
            value["uploadUrl"],
            content=data,
            headers={"Authorization": f"Bearer {token}"},
        )
        api.raise_for(uploaded)
        return str(value["image"])

    # --- tokens -----------------------------------------------------------------------------

    def refresh_token(self, account: AccountAuth) -> TokenSet:
        """A new access token; the refresh token keeps its original 365-day life.

        Raises:
            AuthExpired: no refresh token (LinkedIn issues them to approved apps only) or refused.
        """
        if not account.refresh_token:
            raise AuthExpired("LinkedIn gave this app no refresh token: reconnect the account")
        return api.token_request(
            {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        )

    def authorization_url(self, flow: OAuthFlow) -> str:
        """LinkedIn's authorize page (state only: LinkedIn's web flow does not use PKCE)."""
        settings = get_settings()
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": settings.linkedin_client_id,
                "redirect_uri": flow.redirect_uri,
                "state": flow.state,
                "scope": SCOPES,
            },
            quote_via=urllib.parse.quote,
        )
        return f"{settings.linkedin_oauth_base.rstrip('/')}/oauth/v2/authorization?{query}"

    def exchange_code(self, flow: OAuthFlow, code: str) -> TokenSet:
        """Trade the authorization code for tokens (LinkedIn takes no PKCE verifier)."""
        return api.token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirect_uri}
        )

    def identities(self, tokens: TokenSet) -> list[Identity]:
        """The member (OpenID userinfo) and every organization they administer
        (`organizationAcls`, approved ADMINISTRATOR roles). A 403 there (no admin rights or
        scope) means no pages: the member alone is returned.

        Raises:
            Rejected: LinkedIn refused to list the pages for any other reason (the user is told
                why, instead of the pages silently missing from the chooser).
            AuthExpired, RateLimited, Transient: as translated by `linkedin_api`.
        """
        token = tokens.access_token
        me = api.raise_for(
            http.request(
                "GET", f"{api.api_base()}/v2/userinfo", headers={"Authorization": f"Bearer {token}"}
            )
        )
        name = str(me.get("name") or "")
        found = [
            Identity(
                kind="person",
                remote_id=str(me["sub"]),
                handle=name,
                display_name=name,
                tokens=tokens,
            )
        ]
        for org_urn in self._administered(token):
            org_id = org_urn.rsplit(":", 1)[-1]
            org = api.rest("GET", f"/rest/organizations/{org_id}", token).json()
            found.append(
                Identity(
                    kind="organization",
                    remote_id=org_id,
                    handle=str(org.get("vanityName") or org_id),
                    display_name=str(org.get("localizedName") or org.get("vanityName") or org_id),
                    tokens=tokens,
                )
            )
        return found

    def _administered(self, token: str) -> list[str]:
        """The URNs of the organizations the member administers ([] on a 403)."""
        orgs: list[str] = []
        start = 0
        while True:
            response = http.request(
                "GET",
                f"{api.api_base()}/rest/organizationAcls",
                headers=api.rest_headers(token),
                params={
                    "q": "roleAssignee",
                    "role": "ADMINISTRATOR",
                    "state": "APPROVED",
                    "start": str(start),
                    "count": str(PAGE),
                },
            )
            status = response.status_code
            if status == 403:  # no admin rights or scope: no pages
                return orgs
            if 400 <= status < 500 and status not in (401, 429):
                message = http.json_or_empty(response).get("message") or "no details"
                raise Rejected(
                    f"LinkedIn could not list the company pages you administer "
                    f"(HTTP {status}: {message}); try connecting again"
                )
            page = api.raise_for(response)
            elements = page.get("elements") or []
            orgs += [str(e["organization"]) for e in elements if e.get("organization")]
            total = (page.get("paging") or {}).get("total")
            start += len(elements)
            if not elements or total is None or start >= int(total):
                return orgs

    # --- inbox and metrics ------------------------------------------------------------------

    def fetch_inbox(
        self, account: AccountAuth, post_ids: Sequence[str], since: datetime | None
    ) -> list[InboxItem]:
        """Comments newer than `since` on the posts `post_ids` (LinkedIn has no per-author
        comment feed, and no messaging API for apps). The account's own comments are left
        out."""
        me = author_urn(account)
        items: list[InboxItem] = []
        for urn in post_ids:
            start = 0
            while True:
                page = api.rest(
                    "GET",
                    f"/rest/socialActions/{_quoted(urn)}/comments",
                    account.access_token,
                    params={"start": str(start), "count": str(PAGE)},
                ).json()
                elements = page.get("elements") or []
                for comment in elements:
                    created = datetime.fromtimestamp(
                        int((comment.get("created") or {}).get("time", 0)) / 1000, UTC
                    )
                    if comment.get("actor") == me or (since and created <= since):
                        continue
                    items.append(
                        InboxItem(
                            remote_id=str(comment.get("commentUrn") or comment.get("id")),
                            kind="comment",
                            author=str(comment.get("actor", "")),
                            text=str((comment.get("message") or {}).get("text", "")),
                            created_at=created,
                            post_remote_id=urn,
                            url=post_url(urn),
                        )
                    )
                start += len(elements)
                total = (page.get("paging") or {}).get("total")
                if not elements or total is None or start >= int(total):
                    break
        return items

    def fetch_metrics(self, account: AccountAuth, remote_ids: list[str]) -> dict[str, Metrics]:
        """Lifetime share statistics of organization posts; person posts get `{}` (LinkedIn
        offers no post statistics to member tokens)."""
        if account.kind != "organization" or not remote_ids:
            return {}
        org = author_urn(account)
        shares = [u for u in remote_ids if u.startswith("urn:li:share:")]
        ugc = [u for u in remote_ids if u.startswith("urn:li:ugcPost:")]
        query = f"q=organizationalEntity&organizationalEntity={_quoted(org)}"
        for name, urns in (("shares", shares), ("ugcPosts", ugc)):
            if urns:  # Rest.li 2.0 list syntax: List(a,b) with each item encoded
                query += f"&{name}=List({','.join(_quoted(u) for u in urns)})"
        path = f"/rest/organizationalEntityShareStatistics?{query}"
        answer = api.rest("GET", path, account.access_token).json()
        out: dict[str, Metrics] = {}
        for element in answer.get("elements") or []:
            urn = element.get("share") or element.get("ugcPost")
            stats = element.get("totalShareStatistics") or {}
            if not urn:
                continue
            out[str(urn)] = Metrics(
                likes=int(stats.get("likeCount", 0)),
                reposts=int(stats.get("shareCount", 0)),
                replies=int(stats.get("commentCount", 0)),
                views=int(stats.get("impressionCount", 0)),
                clicks=int(stats.get("clickCount", 0)),
            )
        return out
