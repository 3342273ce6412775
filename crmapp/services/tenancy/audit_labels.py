"""What audit events are called in words: record kinds, actions, fields and states.

`audit_text` reads these tables to turn `{"owner_id": [..., ...]}` into "Owner: Ann → Bob". A
field is `(label, kind)`; the kind says how its values read (`audit_text.VALUE_KINDS`).
"""

from __future__ import annotations

from crmapp.services.crm import builtin_fields

HIDDEN = "hidden"

NOUNS = {
    "activity": "Activity",
    "company": "Company",
    "contact": "Contact",
    "custom_field": "Custom field",
    "deal": "Deal",
    "import_job": "Import",
    "invitation": "Invitation",
    "kb_document": "Knowledge document",
    "media_asset": "Media",
    "membership": "Member",
    "organization": "Organisation",
    "pipeline": "Pipeline",
    "proposal": "Proposal",
    "proposal_template": "Proposal template",
    "saved_view": "Saved view",
    "social_account": "Social account",
    "social_post": "Post",
    "user": "User",
}

# The subject an action's prefix names (`kb.document_added` → "Knowledge base document added").
ACTION_SUBJECTS = {
    **NOUNS,
    "kb": "Knowledge base",
    "member": "Member",
    "org": "Organisation",
    "template": "Template",
    "view": "Saved view",
}

ACTION_TITLES = {
    "org.ai_budget": "AI budget changed",
    "org.proposal_approvals": "Proposal approval rule changed",
    "org.social_approvals": "Post approval rule changed",
    "social_account.timezone": "Social account time zone changed",
    "social_post.pending_review": "Post submitted for review",
    "social_post.draft": "Post back to draft",
    "social_post.publishing": "Post publishing",
    "social_post.unknown": "Post outcome being checked",
    "proposal.generation_changed": "Proposal draft",
    "user.signed_up": "Signed up",
    "user.logged_in": "Logged in",
    "user.logged_out": "Logged out",
    "user.password_changed": "Password changed",
    "invitation.accepted": "Invitation accepted",
    "kb.document_described": "Knowledge base document details changed",
}

# Values of state machines, roles and kinds that read differently from their identifier.
STATE_LABELS = {
    "review": "In review",
    "pending_review": "Pending review",
    "changes_requested": "Changes requested",
    "none": "Not requested",
    "idle": "Not started",
    "streaming": "Writing",
    "unknown": "Being checked",
    "needs_reconnect": "Needs reconnecting",
    "openai": "OpenAI",
    "offline": "Offline writer",
    "sow": "Statement of work",
    "case_study": "Case study",
    "faq": "FAQ",
    "bio": "Team bio",
}

ENTITY_PLURALS = {"contact": "Contacts", "company": "Companies", "deal": "Deals"}

COMMON_KEYS: dict[str, tuple[str, str]] = {
    "name": ("Name", "text"),
    "title": ("Title", "text"),
    "email": ("Email", "text"),
    "role": ("Role", "state"),
    "state": ("Status", "state"),
    "status": ("Status", "state"),
    "approval": ("Approval", "state"),
    "generation": ("AI draft", "state"),
    "kind": ("Kind", "state"),
    "lifecycle": ("Offered", "state"),
    "valid_until": ("Valid until", "date"),
    "type": ("Type", "state"),
    "policy": ("When a row matches", "state"),
    "provider": ("Written by", "state"),
    "account_id": ("Account", "account"),
    "deal_id": ("Deal", "deal"),
    "contact_id": ("Contact", "contact"),
    "company_id": ("Company", "company"),
    "user_id": ("Member", "user"),
    "owner_id": ("Owner", "user"),
    "stage_id": ("Stage", "stage"),
    "pipeline_id": ("Pipeline", "pipeline"),
    "closed_at": ("Closed", "datetime"),
    "closed_by": ("Closed by", "user"),
    "contact": ("Contact", "contact"),
    "company": ("Company", "company"),
    "deal": ("Deal", "deal"),
    "networks": ("Networks", "network"),
    "network": ("Network", "network"),
    "subject": ("Subject", "text"),
    "scheduled_at": ("Scheduled for", "datetime"),
    "timezone": ("Time zone", "text"),
    "text": ("Text", "text"),
    "overrides": ("Text per network", "per_network"),
    "link": ("Link", "text"),
    "reason": ("Reason", "text"),
    "note": ("Note", "text"),
    "error": ("Error", "text"),
    "section": ("Section", "text"),
    "instruction": ("Instruction", "text"),
    "resumed": ("Resumed", "bool"),
    "required": ("Required", "bool"),
    "budget_usd": ("Monthly AI budget", "usd"),
    "hard_stop": ("Stop drafting at the budget", "bool"),
    "handle": ("Handle", "text"),
    "variant": ("Format", "text"),
    "box": ("Crop", "list"),
    "filename": ("File", "text"),
    "file": ("File", "text"),
    "size": ("Size", "bytes"),
    "characters": ("Characters", "number"),
    "created": ("Created", "number"),
    "updated": ("Updated", "number"),
    "skipped": ("Skipped", "number"),
    "rejected": ("Rejected", "number"),
    "entity": ("Records", "entity"),
    "label": ("Label", "text"),
    "options": ("Options", "list"),
    "position": ("Position", "position"),
    "deals_moved": ("Deals moved", "number"),
    "moved_to": ("Moved to", "text"),
    "probability": ("Probability", "percent"),
    "sections": ("Sections", "number"),
    "template": ("Template", "text"),
    "shared": ("Shared with the team", "bool"),
    "version": ("Version", "number"),
    "proposal": ("Proposal", "text"),
    "client": ("Opened in", "text"),
    "signer": ("Signed by", "text"),
    "stage": ("Stage", "text"),
    "value": ("Value", "money"),
    "sha256": ("", HIDDEN),
}

_FIELD_KINDS = {
    "user": "user",
    "company": "company",
    "contact": "contact",
    "stage": "stage",
    "money": "money",
    "percent": "percent",
    "date": "date",
    "tags": "list",
    "emails": "list",
    "phones": "list",
    "select": "option",
}

# Per record kind, the fields that differ from COMMON_KEYS: a CRM record's built-in fields read
# as its forms label them; a member's own id names the record, so it is not repeated.
ENTITY_KEYS: dict[str, dict[str, tuple[str, str]]] = {
    entity: {f.key: (f.label, _FIELD_KINDS.get(f.kind, "text")) for f in defs}
    for entity, defs in builtin_fields.FIELDS.items()
}
ENTITY_KEYS["membership"] = {"user_id": ("", HIDDEN)}

# Fields whose value names the record when it no longer exists (or was never a row).
NAME_KEYS = ("name", "title", "label", "email", "filename", "file", "subject", "stage")


def field_label(entity_type: str, key: str) -> tuple[str, str]:
    """`(label, value kind)` of `key` in an event on `entity_type` (custom fields excepted)."""
    known = ENTITY_KEYS.get(entity_type, {}).get(key) or COMMON_KEYS.get(key)
    if known:
        return known
    return key.replace("_", " ").capitalize(), "auto"


def option_label(entity_type: str, key: str, value: str) -> str:
    """The label of a select option of a built-in CRM field."""
    field = builtin_fields.field_def(entity_type, key)
    return field.option_label(value) if field else value
