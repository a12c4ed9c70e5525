"""Reads of the screening app, one module per page family (searches, records, screening, priority).

Callers read ``selectors.<name>``: as ``screening.services`` is the app's writes, this package's names
are its reads, the interface other parts use; each is defined in one of these modules.
"""
from .batch import BatchRow, batch_rows, decisions_visible_on, screener_preference, screening_items_in_order  # noqa: F401
from .priority import (  # noqa: F401
    WORDLESS,
    ranking_latest,
    settled_sequence,
    stopping_decisions,
    stopping_figures,
)
from .prisma_tallied import prisma_counts_kept  # noqa: F401
from .records import (  # noqa: F401
    EXPORT_STAGES,
    MY_DECISION_FILTERS,
    NO_DECISION,
    RECORD_SORT_CHOICES,
    RECORD_SORT_LABELS,
    RECORD_SORTS,
    STATUS_FILTERS,
    WAITING,
    RecordDetail,
    Viewer,
    duplicate_pair_comparison,
    duplicate_pair_get,
    duplicate_pairs,
    next_possible_pair,
    record_detail,
    record_sources,
    records_api_list,
    records_filtered,
    records_for_export,
    records_list,
    search_count_kept,
    viewer_for,
    year_range_problem,
)
from .screening import (  # noqa: F401
    PairAgreement,
    StageProgress,
    TeamRow,
    agreement_by_stage,
    agreement_table,
    conflicts,
    decision_value_visible,
    decisions_log,
    decisions_per_reviewer,
    decisions_visible_to,
    last_decision,
    my_decisions,
    screened_duplicate_pair,
    screening_item_get,
    screening_progress,
    screening_settings_get,
    studies_list,
    study_get,
    team_view,
)
from .searches import (  # noqa: F401
    ReviewRecordCounts,
    import_progress,
    record_counts,
    search_file_get,
    search_get,
    searches_with_counts,
)
