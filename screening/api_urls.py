"""The screening app's API routes; reviewapp includes them under /api/v1/reviews/<review_id>/
(registered in ScreeningConfig.ready)."""
from django.urls import path

from . import api, api_assign, api_fulltexts, api_reruns

urlpatterns = [
    path("searches/", api.SearchListApi.as_view(), name="api_searches"),
    path("searches/<int:search_id>/", api.SearchDetailApi.as_view(), name="api_search"),
    path("searches/<int:search_id>/runs/", api_reruns.SearchRunsApi.as_view(), name="api_search_runs"),
    path("searches/<int:search_id>/files/", api.SearchFileListApi.as_view(), name="api_search_files"),
    path("imports/<int:file_id>/", api.ImportDetailApi.as_view(), name="api_import"),
    path("imports/<int:file_id>/retry/", api.ImportRetryApi.as_view(), name="api_import_retry"),
    path("imports/<int:file_id>/progress/", api.ImportProgressApi.as_view(), name="api_import_progress"),
    path("records/", api.RecordListApi.as_view(), name="api_records"),
    path("records/exclude/", api.RecordsExcludeApi.as_view(), name="api_records_exclude"),
    path("records/tags/", api.RecordsTagApi.as_view(), name="api_records_tags"),
    path("records/assign/", api_assign.RecordsAssignApi.as_view(), name="api_records_assign"),
    path("records/fulltexts/", api_fulltexts.FullTextBulkApi.as_view(), name="api_fulltexts_bulk"),
    path("records/<int:record_id>/", api.RecordDetailApi.as_view(), name="api_record"),
    path("records/<int:record_id>/corrections/", api.RecordCorrectionsApi.as_view(), name="api_record_corrections"),
    path("records/<int:record_id>/fulltext/", api.FullTextApi.as_view(), name="api_record_fulltext"),
    path("duplicates/", api.DuplicateListApi.as_view(), name="api_duplicates"),
    path("duplicates/<int:pair_id>/", api.DuplicateDetailApi.as_view(), name="api_duplicate"),
    path("duplicates/<int:pair_id>/decision/", api.DuplicateDecisionApi.as_view(), name="api_duplicate_decision"),
    path("screening/", api.ScreeningProgressApi.as_view(), name="api_screening_progress"),
    path("screening/settings/", api.ScreeningSettingsApi.as_view(), name="api_screening_settings"),
    path("screening/items/<int:item_id>/", api.ScreeningItemApi.as_view(), name="api_screening_item"),
    path("screening/decisions/", api.DecisionListApi.as_view(), name="api_decisions"),
    path("screening/log/", api.DecisionLogApi.as_view(), name="api_decisions_log"),
    path("screening/claims/<int:user_id>/release/", api.ClaimsReleaseApi.as_view(), name="api_claims_release"),
    path("screening/conflicts/", api.ConflictListApi.as_view(), name="api_conflicts"),
    path("screening/conflicts/<int:item_id>/resolve/", api.ConflictResolveApi.as_view(), name="api_conflict_resolve"),
    path("screening/agreement/", api.AgreementApi.as_view(), name="api_screening_agreement"),
    path("screening/team/", api.TeamApi.as_view(), name="api_screening_team"),
    path("screening/stopping/", api.StoppingApi.as_view(), name="api_screening_stopping"),
    path("screening/<str:stage>/next/", api.ScreeningNextApi.as_view(), name="api_screening_next"),
    path("screening/<str:stage>/undo/", api.DecisionUndoApi.as_view(), name="api_decision_undo"),
    path("studies/", api.StudyListApi.as_view(), name="api_studies"),
    path("studies/<int:study_id>/", api.StudyDetailApi.as_view(), name="api_study"),
    path("studies/<int:study_id>/reports/", api.StudyReportsApi.as_view(), name="api_study_reports"),
    path("prisma/", api.PrismaApi.as_view(), name="api_prisma"),
    path("prisma/checklist/", api.PrismaChecklistApi.as_view(), name="api_prisma_checklist"),
]
