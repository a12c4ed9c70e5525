"""Included under reviews/<int:review_id>/, so every view receives review_id."""
from django.urls import include, path

from reviewapp.page_access import token_download

from . import views
from .report import views as report_views

urlpatterns = [
    path("", include("analysis.sof.urls")),  # summary of findings and exports
    path("report/", report_views.report_page, name="report"),
    path("report.docx", token_download(report_views.report_docx), name="report_docx"),
    path("analyses/", views.analysis_list, name="analysis_list"),
    path("analyses/new/", views.analysis_new, name="analysis_new"),
    path("analyses/defaults/", views.analyses_defaults, name="analyses_defaults"),
    path("analyses/run-all/", views.analyses_run_all, name="analyses_run_all"),
    path("analyses/<int:analysis_id>/", views.analysis_detail, name="analysis_detail"),
    path("analyses/<int:analysis_id>/edit/", views.analysis_edit, name="analysis_edit"),
    path("analyses/<int:analysis_id>/run/", views.analysis_run, name="analysis_run"),
    path("analyses/<int:analysis_id>/runs/<int:run_id>/compare/", views.run_compare, name="analysis_run_compare"),
    path("analyses/runs/<int:run_id>/", views.run_detail, name="analysis_run_detail"),
    path("analyses/runs/<int:run_id>/cancel/", views.run_cancel, name="analysis_run_cancel"),
    path("analyses/runs/<int:run_id>/again/", views.run_again, name="analysis_run_again"),
    path("analyses/runs/<int:run_id>/status.json", views.run_status, name="analysis_run_status"),
    path("analyses/runs/<int:run_id>/results/", views.run_results, name="analysis_run_results"),
    path("analyses/runs/<int:run_id>/reproduce.zip", token_download(views.run_zip), name="analysis_run_zip"),
    path("analyses/runs/<int:run_id>/<str:plot>.<str:fmt>", token_download(views.run_plot), name="analysis_run_plot"),
]
