"""The analysis app's API routes; reviewapp includes them under /api/v1/reviews/<review_id>/
(registered in AnalysisConfig.ready)."""
from django.urls import path

from . import api, api_compare
from .report import api as report_api

urlpatterns = [
    path("analyses/", api.AnalysisListApi.as_view(), name="api_analyses"),
    path("analyses/defaults/", api.AnalysesDefaultsApi.as_view(), name="api_analyses_defaults"),
    path("analyses/run-all/", api.AnalysesRunAllApi.as_view(), name="api_analyses_run_all"),
    path("analyses/<int:analysis_id>/", api.AnalysisDetailApi.as_view(), name="api_analysis"),
    path("analyses/<int:analysis_id>/runs/", api.AnalysisRunsApi.as_view(), name="api_analysis_runs"),
    path("analyses/<int:analysis_id>/runs/<int:run_id>/", api.AnalysisRunApi.as_view(), name="api_analysis_run"),
    path("analyses/<int:analysis_id>/runs/<int:run_id>/compare/", api_compare.AnalysisRunCompareApi.as_view(),
         name="api_analysis_run_compare"),
    path("analyses/<int:analysis_id>/runs/<int:run_id>/cancel/", api.AnalysisRunCancelApi.as_view(),
         name="api_analysis_run_cancel"),
    path("analyses/<int:analysis_id>/runs/<int:run_id>/again/", api.AnalysisRunAgainApi.as_view(),
         name="api_analysis_run_again"),
    path("report/", report_api.ReportApi.as_view(), name="api_report"),
    path("summary-of-findings/", api.SofApi.as_view(), name="api_sof"),
    path("summary-of-findings/<int:outcome_id>/settings/", api.SofSettingsApi.as_view(), name="api_sof_settings"),
    path("summary-of-findings/<int:outcome_id>/ratings/<slug:domain>/", api.SofRatingClearApi.as_view(),
         name="api_sof_rating_clear"),
    path("summary-of-findings/<int:outcome_id>/ratings/", api.SofRatingsApi.as_view(), name="api_sof_ratings"),
    path("summary-of-findings/<int:outcome_id>/accept-proposals/", api.SofAcceptApi.as_view(),
         name="api_sof_accept"),
    path("summary-of-findings/accept-proposals/", api.SofAcceptAllApi.as_view(), name="api_sof_accept_all"),
]
