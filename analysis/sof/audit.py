"""The audit trail's words for the summary of findings: which GRADE rating the lead set, and why."""
from __future__ import annotations

from reviewapp.models import AuditEvent

from ..grade import DOMAIN_LABELS

SIGNED = {0: "0", -1: "−1", -2: "−2", 1: "+1", 2: "+2"}


def assessment_audit_summary(event: AuditEvent) -> str | None:
    if event.action != AuditEvent.Action.UPDATE:
        return None
    before = (event.before or {}).get("ratings") or {}
    after = (event.after or {}).get("ratings") or {}
    parts = []
    for domain in sorted(set(before) | set(after)):
        if before.get(domain) == after.get(domain):
            continue
        label = DOMAIN_LABELS.get(domain, domain)
        rating = after.get(domain)
        if rating is None:
            parts.append(f"{label}: back to the proposal")
            continue
        verb = "confirmed" if rating["change"] == rating.get("proposed") else "changed"
        text = f"{label} {verb} at {SIGNED.get(rating['change'], rating['change'])}"
        if rating.get("reason"):
            text += f" ({rating['reason']})"
        parts.append(text)
    if not parts:
        return None  # a settings change: the generic before/after view says it
    return f"{event.object_label}: " + "; ".join(parts)
