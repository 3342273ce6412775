"""After a proposal is written: how well its tone fits the chosen voice, and one upsell.

The tone score is deterministic (no model): it measures what readers notice — sentence length,
contractions and exclamations, hedging, talking to the client ("you") — against what each voice
wants, and says what pulled the score down. The upsell is the product the organisation's won
deals include most often that this client has not bought and is not already discussing.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from crmapp.models.crm import Deal, PipelineStage
from crmapp.services.platform.actor import Actor

HEDGES = ("maybe", "perhaps", "might", "possibly", "somewhat", "kind of", "sort of", "hopefully")
CONTRACTION = re.compile(r"\b\w+'(s|re|ll|ve|d|t|m)\b", re.IGNORECASE)

# What each voice wants: (ideal words per sentence, contractions ok, wants "you", hedges ok)
VOICE_RULES = {
    "formal": (22, False, False, False),
    "consultative": (18, True, True, True),
    "direct": (12, True, True, False),
}


@dataclass(frozen=True)
class Tone:
    """A score out of 100 and what it says."""

    score: int
    label: str


def tone(text: str, voice: str) -> Tone:
    """How well `text` fits `voice` (100: a perfect fit), with the main reasons."""
    ideal, contractions_ok, wants_you, hedges_ok = VOICE_RULES.get(
        voice, VOICE_RULES["consultative"]
    )
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.split()) >= 3]
    if not sentences:
        return Tone(0, "Too little text to judge the tone.")
    words = text.split()
    lower = text.lower()
    average = len(words) / len(sentences)
    notes = []
    score = 100.0
    drift = abs(average - ideal) / ideal
    if drift > 0.25:
        score -= min(30, drift * 40)
        notes.append("sentences are long" if average > ideal else "sentences are short")
    contractions = len(CONTRACTION.findall(text))
    if contractions and not contractions_ok:
        score -= min(20, contractions * 4)
        notes.append("contractions read informal")
    exclamations = text.count("!")
    if exclamations:
        score -= min(15, exclamations * 5)
        notes.append("exclamation marks")
    hedges = sum(lower.count(h) for h in HEDGES)
    if hedges and not hedges_ok:
        score -= min(20, hedges * 5)
        notes.append("hedging words")
    you = len(re.findall(r"\byou(r|rs)?\b", lower))
    if wants_you and you == 0:
        score -= 10
        notes.append("never addresses the client as “you”")
    if not wants_you and you > len(sentences):
        score -= 10
        notes.append("very personal for a formal voice")
    score = max(0, min(100, round(score)))
    fit = "Strong" if score >= 80 else "Fair" if score >= 60 else "Weak"
    reason = "; ".join(notes) if notes else "reads as intended"
    return Tone(score, f"{fit} fit for a {voice} voice: {reason}.")


def upsell(session: Session, actor: Actor, deal_id: uuid.UUID) -> str:
    """One product suggestion for the deal's client, or "" when there is none to make."""
    deal = session.exec(select(Deal).where(Deal.id == deal_id, Deal.org_id == actor.org_id)).first()
    if deal is None:
        return ""
    won_stage_ids = select(PipelineStage.id).where(
        PipelineStage.org_id == actor.org_id, PipelineStage.kind == "won"
    )
    won = session.exec(
        select(Deal).where(
            Deal.org_id == actor.org_id,
            col(Deal.stage_id).in_(won_stage_ids),
            col(Deal.deleted_at).is_(None),
        )
    ).all()
    same_client = []
    if deal.company_id:
        same_client.append(col(Deal.company_id) == deal.company_id)
    if deal.contact_id:
        same_client.append(col(Deal.contact_id) == deal.contact_id)
    bought: set[str] = {p.casefold() for p in deal.products}
    if same_client:
        for other in session.exec(
            select(Deal).where(
                Deal.org_id == actor.org_id,
                col(Deal.stage_id).in_(won_stage_ids),
                or_(*same_client),
            )
        ).all():
            bought |= {p.casefold() for p in other.products}
    popular = Counter(p for d in won for p in d.products if p.casefold() not in bought)
    if not popular:
        return ""
    product, count = popular.most_common(1)[0]
    clients = "won deal includes" if count == 1 else "won deals include"
    return f"Suggest {product}: {count} {clients} it, and this client has not bought it yet."
