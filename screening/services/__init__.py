"""Writes of the screening app: searches and their files, imports, duplicate decisions, screening."""
from .assign import records_assign
from .batch import BATCH_MAX, BATCH_MIN, LIST_STAGES, screener_preference_set, screening_batch
from .bulk import records_exclude, records_tag
from .decisions import (
    claims_release,
    conflict_resolve,
    decision_record,
    decision_undo,
    decisions_values,
    exclusion_reasons_clean,
    screening_items_sync,
    screening_next,
    screening_settings,
    screening_settings_update,
)
from .decisions_many import decisions_record_many
from .duplicates import (
    DUPLICATE_ACTIONS,
    duplicate_keep_apart,
    duplicate_merge,
    duplicate_reopen,
    duplicate_unmerge,
    duplicate_unmerge_to_queue,
)
from .fulltext_bulk import BulkReport, fulltexts_bulk_upload
from .fulltexts import fulltext_upload, record_correct
from .importing import search_file_import
from .prisma import checklist_save
from .ranking import ranking_queue_if_due, ranking_refresh, screening_stop
from .reminders import search_rerun_reminders_send  # noqa: F401 - the beat task's service
from .reruns import search_rerun
from .searches import (
    search_create,
    search_delete,
    search_file_create,
    search_file_delete,
    search_file_retry,
    search_update,
    upload_limit_bytes,
)
from .studies import study_design_set, study_link_report, study_rename

__all__ = [
    "BATCH_MAX", "BATCH_MIN", "LIST_STAGES", "screener_preference_set", "screening_batch",
    "records_assign",
    "records_exclude",
    "records_tag",
    "checklist_save", "claims_release", "conflict_resolve", "decision_record", "decision_undo", "decisions_values",
    "decisions_record_many",
    "exclusion_reasons_clean",
    "fulltext_upload", "record_correct", "BulkReport", "fulltexts_bulk_upload",
    "screening_items_sync", "screening_next", "screening_settings", "screening_settings_update",
    "study_design_set", "study_link_report", "study_rename", "ranking_queue_if_due", "ranking_refresh",
    "screening_stop",
    "DUPLICATE_ACTIONS", "duplicate_keep_apart", "duplicate_merge", "duplicate_reopen", "duplicate_unmerge",
    "duplicate_unmerge_to_queue", "search_create", "search_delete", "search_rerun",
    "search_file_create", "search_file_delete", "search_file_import", "search_file_retry", "search_update",
    "upload_limit_bytes",
]
