"""What the social pages show: plain display data built from posts, targets, accounts and the
composer rules (no ORM objects and no tokens leave this module)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.crm import Contact
from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.models.tenancy import User
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.social import accounts, posts, review, textrules
from crmapp.services.social.registry import label_of, provider_class

STATE_LABELS = {  # lower case, as the status list and the browser tests read them
    "draft": "draft",
    "pending_review": "pending review",
    "approved": "approved",
    "rejected": "rejected",
    "scheduled": "scheduled",
    "publishing": "publishing",
    "published": "published",
    "failed": "failed",
    "unknown": "unknown — check",
}
STATE_COLORS = {
    "draft": "gray",
    "pending_review": "amber",
    "approved": "cyan",
    "rejected": "red",
    "scheduled": "blue",
    "publishing": "violet",
    "published": "green",
    "failed": "red",
    "unknown": "orange",
}
ACTIVE_STATES = ("scheduled", "publishing")  # the page polls while any target is in these


@dataclass
class Segment:
    """A run of text in a preview: plain, link, hashtag or mention."""

    text: str
    kind: str


@dataclass
class PartView:
    """One post of a (possible) thread."""

    text: str
    number: str
    count_text: str
    fits: bool
    segments: list[Segment] = field(default_factory=list)


@dataclass
class NetworkPreview:
    """The live preview and character count of one network."""

    network: str
    label: str
    display_name: str
    handle: str
    initial: str
    sandbox: bool
    count_text: str
    over: bool
    threads: bool
    thread_note: str
    has_override: bool
    link: str
    parts: list[PartView] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


def account_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Every usable account as the composer's chips show it."""
    return [_chip(row) for row in accounts.list_accounts(session, actor)]


def _chip(row: SocialAccount) -> dict[str, str]:
    """One account as a chip shows it."""
    v = accounts.view(row)
    return {
        "id": v.id,
        "network": v.network,
        "label": v.network_label,
        "handle": v.handle,
        "display_name": v.display_name,
        "sandbox": "1" if v.sandbox else "",
        "timezone": v.timezone,
        "status": v.status,
        "status_reason": v.status_reason,
    }


def contact_options(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Contacts a post can be linked to (newest first, at most 500)."""
    rows = session.exec(
        select(Contact.id, Contact.first_name, Contact.last_name)
        .where(Contact.org_id == actor.org_id, col(Contact.deleted_at).is_(None))
        .order_by(col(Contact.created_at).desc())
        .limit(500)
    ).all()
    return [{"id": str(i), "name": f"{first} {last}".strip()} for i, first, last in rows]


def previews(
    text: str,
    overrides: dict[str, str],
    chosen: list[dict[str, str]],
    thumbs: list[str],
    link: str = "",
) -> list[NetworkPreview]:
    """One preview per network of the chosen accounts (the first account of a network gives
    the name and handle shown)."""
    out: list[NetworkPreview] = []
    seen: set[str] = set()
    for account in chosen:
        network = account["network"]
        if network in seen:
            continue
        seen.add(network)
        variant = overrides.get(network, "") or text
        data = textrules.preview(
            network,
            variant,
            display_name=account.get("display_name", ""),
            handle=account.get("handle", ""),
            media_count=len(thumbs),
        )
        parts = data["parts"]
        threads = provider_class(network).threads
        total = len(parts)
        out.append(
            NetworkPreview(
                network=network,
                label=account.get("label") or label_of(network),
                display_name=data["display_name"],
                handle=data["handle"],
                initial=(data["display_name"] or data["handle"] or "?").lstrip("@")[:1].upper(),
                sandbox=account.get("sandbox") == "1",
                count_text=f"{data['count']} / {data['limit']}",
                over=data["count"] > data["limit"] or not all(p["fits"] for p in parts),
                threads=threads,
                thread_note=f"will post as a thread of {total}" if data["threaded"] else "",
                has_override=bool(overrides.get(network)),
                link=link if link and link not in variant else "",
                parts=[
                    PartView(
                        text=p["text"],
                        number=f"{i}/{total}" if total > 1 else "",
                        count_text=f"{p['count']} / {p['limit']}",
                        fits=bool(p["fits"]),
                        segments=[Segment(s["text"], s["kind"]) for s in p["segments"]],
                    )
                    for i, p in enumerate(parts, start=1)
                ],
                problems=[p for p in data["problems"] if not (threads and "over" in p.lower())],
                media=[t for t in thumbs if t],
            )
        )
    return out


def parse_local(date: str, time: str) -> datetime:
    """`2025-12-09` and `09:00` as a naive wall-clock datetime (ValidationError otherwise)."""
    try:
        return datetime.strptime(f"{date.strip()} {time.strip()}", "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValidationError({"scheduled_at": "Pick a date and a time"}) from None


def schedule_hint(date: str, time: str, tz: str, chosen: list[dict[str, str]]) -> tuple[str, str]:
    """("Tue 9 Dec 09:00 Europe/Paris · 03:00 America/New_York (@acme)", "") for the picked
    time, or ("", error) when the time does not exist in the zone; ("", "") when incomplete."""
    if not date or not time:
        return "", ""
    try:
        instant = review.to_utc(parse_local(date, time), tz)
    except ValidationError as err:
        return "", str(err)
    local = instant.astimezone(timefmt.zone(tz))
    text = f"{local:%a} {local.day} {local:%b %H:%M} {tz}"
    zones: dict[str, list[str]] = {}
    for account in chosen:
        zone = account.get("timezone") or "UTC"
        if zone != tz:
            zones.setdefault(zone, []).append(account.get("handle", ""))
    for zone, handles in sorted(zones.items()):
        there = instant.astimezone(timefmt.zone(zone))
        day = "" if there.date() == local.date() else f"{there:%a} {there.day} {there:%b} "
        text += f" · {day}{there:%H:%M} {zone} ({', '.join(h for h in handles if h)})"
    return text, ""


def _names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name, User.email).where(col(User.id).in_(ids))).all()
    return {i: name or email for i, name, email in rows}


def target_rows(
    targets: list[SocialPostTarget], by_id: dict[str, dict[str, str]], tz: str
) -> list[dict[str, str]]:
    """The per-target status list."""
    rows = []
    for t in targets:
        account = by_id.get(str(t.account_id), {})
        when = t.published_at or (t.next_attempt_at if t.state == "scheduled" else None)
        rows.append(
            {
                "id": str(t.id),
                "account_id": str(t.account_id),
                "network": t.network,
                "label": account.get("label") or label_of(t.network),
                "handle": account.get("handle", "(disconnected account)"),
                "state": t.state,
                "state_label": STATE_LABELS.get(t.state, t.state),
                "color": STATE_COLORS.get(t.state, "gray"),
                "attempts": str(t.attempts),
                "last_error": t.last_error,
                "notice": t.notice,
                "remote_url": t.remote_url,
                "when": timefmt.local(when, tz) if when else "",
            }
        )
    return rows


def status_view(session: Session, actor: Actor, post_id: uuid.UUID, tz: str) -> dict[str, Any]:
    """Only the post's state and its targets (what the page polls)."""
    post = posts.get_post(session, actor, post_id)
    targets = posts.targets_of(session, post.id)
    ids = {str(t.account_id) for t in targets}
    known = {a["id"]: a for a in account_options(session, actor)}
    known.update({a["id"]: a for a in _disconnected(session, actor, ids - set(known))})
    state = posts.summary_state(targets)
    return {
        "state": state,
        "state_label": STATE_LABELS.get(state, state),
        "editable": not any(t.state in posts.LOCKED_STATES for t in targets),
        "targets": target_rows(targets, known, tz),
    }


def post_view(session: Session, actor: Actor, post_id: uuid.UUID, tz: str) -> dict[str, Any]:
    """Everything the editor shows for a saved post."""
    post = posts.get_post(session, actor, post_id)
    targets = posts.targets_of(session, post.id)
    status = status_view(session, actor, post.id, tz)
    notes = review.comments(session, actor, post.id)
    names = _names(session, {post.author_id, *(c.author_id for c in notes)})
    local_at = (
        post.scheduled_at.astimezone(timefmt.zone(post.timezone)) if post.scheduled_at else None
    )
    return {
        **status,
        "id": str(post.id),
        "text": post.text,
        "overrides": {k: str(v.get("text") or "") for k, v in (post.overrides or {}).items()},
        "account_ids": [str(t.account_id) for t in targets],
        "media_ids": list(post.media_ids or []),
        "link": post.link,
        "format": post.format,
        "deal_id": str(post.deal_id or ""),
        "contact_id": str(post.contact_id or ""),
        "campaign": post.campaign,
        "date": f"{local_at:%Y-%m-%d}" if local_at else "",
        "time": f"{local_at:%H:%M}" if local_at else "",
        "timezone": post.timezone if post.scheduled_at else str(tz),  # a form value, unlabelled
        "scheduled": timefmt.local(post.scheduled_at, tz) if post.scheduled_at else "",
        "review_note": post.review_note,
        "author": names.get(post.author_id, ""),
        "comments": [
            {
                "id": str(c.id),
                "author": names.get(c.author_id, ""),
                "body": c.body,
                "network": label_of(c.network) if c.network else "",
                "when": timefmt.local(c.created_at, tz),
            }
            for c in notes
        ],
    }


def _disconnected(session: Session, actor: Actor, ids: set[str]) -> list[dict[str, str]]:
    rows = accounts.list_accounts(session, actor, include_disconnected=True)
    return [_chip(r) for r in rows if str(r.id) in ids and r.status == "disconnected"]


@dataclass
class DayGroup:
    """The queue's posts of one day."""

    day: str
    rows: list[dict[str, str]] = field(default_factory=list)


@dataclass
class QueueSection:
    """Upcoming, drafts and in review, or recent."""

    key: str
    title: str
    days: list[DayGroup] = field(default_factory=list)


QUEUE_SECTIONS = (
    ("upcoming", "Upcoming"),
    ("drafts", "Drafts and in review"),
    ("recent", "Recently published or failed"),
)


def _section(state: str) -> str:
    if state in ("scheduled", "publishing"):
        return "upcoming"
    if state in ("draft", "pending_review", "approved", "rejected"):
        return "drafts"
    return "recent"


def queue(
    session: Session, actor: Actor, tz: str, *, state: str = "", limit: int = 30
) -> tuple[list[QueueSection], bool]:
    """The posts grouped into sections, then days in `tz`; and whether more are there."""
    found = posts.list_posts(session, actor, state=state, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    options = {a["id"]: a for a in account_options(session, actor)}
    rows: dict[str, list[tuple[datetime, dict[str, str]]]] = {k: [] for k, _ in QUEUE_SECTIONS}
    for post, targets in found:
        summary = posts.summary_state(targets)
        section = _section(summary)
        published = [t.published_at for t in targets if t.published_at]
        if section == "upcoming" and post.scheduled_at:
            when = post.scheduled_at
        elif section == "recent" and published:
            when = max(published)
        else:
            when = post.updated_at
        local = when.astimezone(timefmt.zone(tz))
        handles = [options.get(str(t.account_id), {}).get("handle", "") for t in targets]
        rows[section].append(
            (
                when,
                {
                    "id": str(post.id),
                    "href": routes.social_post(post.id),
                    "text": (post.text[:140] + "…") if len(post.text) > 140 else post.text,
                    "time": timefmt.local(when, tz, "%H:%M"),
                    "day": f"{local:%a} {local.day} {local:%b %Y}",
                    "networks": " · ".join(sorted({label_of(t.network) for t in targets})),
                    "handles": ", ".join(h for h in handles if h),
                    "state": summary,
                    "state_label": STATE_LABELS.get(summary, summary),
                    "color": STATE_COLORS.get(summary, "gray"),
                    "campaign": post.campaign,
                    "scheduled": "1" if post.scheduled_at else "",
                },
            )
        )
    sections = []
    for key, title in QUEUE_SECTIONS:
        items = sorted(rows[key], key=lambda r: r[0], reverse=key != "upcoming")
        days: list[DayGroup] = []
        for _when, row in items:
            if not days or days[-1].day != row["day"]:
                days.append(DayGroup(row["day"]))
            days[-1].rows.append(row)
        if days:
            sections.append(QueueSection(key, title, days))
    return sections, more
