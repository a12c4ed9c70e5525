"""Included under reviews/<int:review_id>/, so every view receives review_id."""
from django.urls import path

from . import views

urlpatterns = [
    path("searches/", views.search_list, name="search_list"),
    path("searches/new/", views.search_create, name="search_create"),
    path("searches/<int:search_id>/", views.search_detail, name="search_detail"),
    path("searches/<int:search_id>/edit/", views.search_edit, name="search_edit"),
    path("imports/<int:file_id>/", views.search_file_report, name="search_file_report"),
    path("imports/<int:file_id>/progress.json", views.search_file_progress, name="search_file_progress"),
    path("imports/<int:file_id>/action/", views.search_file_action, name="search_file_action"),
    path("imports/<int:file_id>/download/", views.search_file_download, name="search_file_download"),
    path("records/", views.record_list, name="record_list"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("records.ris", views.record_export, {"fmt": "ris"}, name="record_export_ris"),
    path("records.csv", views.record_export, {"fmt": "csv"}, name="record_export_csv"),
    path("duplicates/", views.duplicate_queue, name="duplicate_queue"),
    path("duplicates/<int:pair_id>/", views.duplicate_pair, name="duplicate_pair"),
]
