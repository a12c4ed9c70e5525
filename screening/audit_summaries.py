"""How the audit trail words events about searches, their files and duplicate decisions."""
from __future__ import annotations

from reviewapp.models import AuditEvent

from .models import DuplicatePair, Record, SearchFile

Action = AuditEvent.Action


def search_summary(event: AuditEvent) -> str | None:
    verb = {Action.CREATE: "recorded", Action.UPDATE: "changed", Action.DELETE: "deleted"}[event.action]
    return f"Search of {event.object_label} {verb}"


def _file_words(event: AuditEvent) -> str:
    # Services label files "<database> file <name>"; older events "import of <name>" or just the name.
    label = event.object_label.removeprefix("import of ")
    return label if " file " in label else f"file {label}"


def search_file_summary(event: AuditEvent) -> str | None:
    words = _file_words(event)
    if event.action == Action.CREATE:
        return f"Upload of {words}"
    if event.action == Action.DELETE:
        return f"Removal of {words}"
    status = (event.after or {}).get("status")
    if status == SearchFile.Status.DONE:
        return f"Import of {words}"
    if status == SearchFile.Status.FAILED:
        return f"Import of {words} failed"
    if status == SearchFile.Status.QUEUED:
        return f"Import of {words} queued again"
    return None


def _records_words(a_id, b_id) -> str:
    """The two records as people know them, by their numbers in the review (the snapshot keeps ids)."""
    numbers = dict(Record.objects.filter(pk__in=[a_id, b_id]).values_list("pk", "number"))

    def word(record_id) -> str:
        return f"#{numbers[record_id]}" if record_id in numbers else f"(a record since deleted, id {record_id})"

    return f"Records {word(a_id)} and {word(b_id)}"


def duplicate_pair_summary(event: AuditEvent) -> str | None:
    before, after = event.before or {}, event.after or {}
    records = _records_words(after.get("record_a_id", before.get("record_a_id")),
                             after.get("record_b_id", before.get("record_b_id")))
    if after.get("status") == DuplicatePair.Status.MERGED:
        return f"{records} merged as duplicates"
    if after.get("status") == DuplicatePair.Status.KEPT_APART:
        if before.get("status") == DuplicatePair.Status.MERGED:
            return f"{records} un-merged (kept apart)"
        return f"{records} kept apart"
    if after.get("status") == DuplicatePair.Status.POSSIBLE:
        if before.get("status") == DuplicatePair.Status.MERGED:
            return f"{records} un-merged (waiting for a decision)"
        if before.get("status") == DuplicatePair.Status.KEPT_APART:
            return f"{records} back to waiting for a decision"
    return None
