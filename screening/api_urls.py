"""The screening app's API routes; reviewapp includes them under /api/v1/reviews/<review_id>/
(registered in ScreeningConfig.ready)."""
from django.urls import path

from . import api_assign, api_fulltexts, api_reruns
from .api import agreement, batch, conflicts, decisions, duplicates, prisma, records, searches, stopping, studies

urlpatterns = [
    path("searches/", searches.SearchListApi.as_view(), name="api_searches"),
    path("searches/<int:search_id>/", searches.SearchDetailApi.as_view(), name="api_search"),
    path("searches/<int:search_id>/runs/", api_reruns.SearchRunsApi.as_view(), name="api_search_runs"),
    path("searches/<int:search_id>/files/", searches.SearchFileListApi.as_view(), name="api_search_files"),
    path("imports/<int:file_id>/", searches.ImportDetailApi.as_view(), name="api_import"),
    path("imports/<int:file_id>/retry/", searches.ImportRetryApi.as_view(), name="api_import_retry"),
    path("imports/<int:file_id>/progress/", searches.ImportProgressApi.as_view(), name="api_import_progress"),
    path("records/", records.RecordListApi.as_view(), name="api_records"),
    path("records/exclude/", conflicts.RecordsExcludeApi.as_view(), name="api_records_exclude"),
    path("records/tags/", conflicts.RecordsTagApi.as_view(), name="api_records_tags"),
    path("records/assign/", api_assign.RecordsAssignApi.as_view(), name="api_records_assign"),
    path("records/fulltexts/", api_fulltexts.FullTextBulkApi.as_view(), name="api_fulltexts_bulk"),
    path("records/<int:record_id>/", records.RecordDetailApi.as_view(), name="api_record"),
    path("records/<int:record_id>/corrections/", records.RecordCorrectionsApi.as_view(), name="api_record_corrections"),
    path("records/<int:record_id>/fulltext/", records.FullTextApi.as_view(), name="api_record_fulltext"),
    path("duplicates/", duplicates.DuplicateListApi.as_view(), name="api_duplicates"),
    path("duplicates/<int:pair_id>/", duplicates.DuplicateDetailApi.as_view(), name="api_duplicate"),
    path("duplicates/<int:pair_id>/decision/", duplicates.DuplicateDecisionApi.as_view(),
         name="api_duplicate_decision"),
    path("screening/", decisions.ScreeningProgressApi.as_view(), name="api_screening_progress"),
    path("screening/settings/", decisions.ScreeningSettingsApi.as_view(), name="api_screening_settings"),
    path("screening/items/<int:item_id>/", decisions.ScreeningItemApi.as_view(), name="api_screening_item"),
    path("screening/decisions/", decisions.DecisionListApi.as_view(), name="api_decisions"),
    path("screening/log/", decisions.DecisionLogApi.as_view(), name="api_decisions_log"),
    path("screening/claims/<int:user_id>/release/", decisions.ClaimsReleaseApi.as_view(), name="api_claims_release"),
    path("screening/conflicts/", conflicts.ConflictListApi.as_view(), name="api_conflicts"),
    path("screening/conflicts/<int:item_id>/resolve/", conflicts.ConflictResolveApi.as_view(),
         name="api_conflict_resolve"),
    path("screening/agreement/", agreement.AgreementApi.as_view(), name="api_screening_agreement"),
    path("screening/team/", agreement.TeamApi.as_view(), name="api_screening_team"),
    path("screening/stopping/", stopping.StoppingApi.as_view(), name="api_screening_stopping"),
    path("screening/mode/", batch.ScreenerPreferenceApi.as_view(), name="api_screener_preference"),
    path("screening/<str:stage>/next/", decisions.ScreeningNextApi.as_view(), name="api_screening_next"),
    path("screening/<str:stage>/batch/", batch.ScreeningBatchApi.as_view(), name="api_screening_batch"),
    path("screening/<str:stage>/undo/", decisions.DecisionUndoApi.as_view(), name="api_decision_undo"),
    path("studies/", studies.StudyListApi.as_view(), name="api_studies"),
    path("studies/<int:study_id>/", studies.StudyDetailApi.as_view(), name="api_study"),
    path("studies/<int:study_id>/reports/", studies.StudyReportsApi.as_view(), name="api_study_reports"),
    path("prisma/", prisma.PrismaApi.as_view(), name="api_prisma"),
    path("prisma/checklist/", prisma.PrismaChecklistApi.as_view(), name="api_prisma_checklist"),
]
