"""Included under reviews/<int:review_id>/, so every view receives review_id."""
from django.urls import path

from reviewapp.page_access import token_download

from . import fulltext_views, list_views, prisma_views, rerun_views, screen_views, views

urlpatterns = [
    path("searches/", views.search_list, name="search_list"),
    path("searches/new/", views.search_create, name="search_create"),
    path("searches/<int:search_id>/", views.search_detail, name="search_detail"),
    path("searches/<int:search_id>/edit/", views.search_edit, name="search_edit"),
    path("searches/<int:search_id>/again/", rerun_views.search_rerun, name="search_rerun"),
    path("imports/<int:file_id>/", views.search_file_report, name="search_file_report"),
    path("imports/<int:file_id>/progress.json", views.search_file_progress, name="search_file_progress"),
    path("imports/<int:file_id>/action/", views.search_file_action, name="search_file_action"),
    path("imports/<int:file_id>/download/", token_download(views.search_file_download), name="search_file_download"),
    path("records/", views.record_list, name="record_list"),
    path("records/selection/", views.record_bulk, name="record_bulk"),
    path("records/fulltexts/", fulltext_views.fulltext_bulk, name="fulltext_bulk"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("records.ris", token_download(views.record_export), {"fmt": "ris"}, name="record_export_ris"),
    path("records.csv", token_download(views.record_export), {"fmt": "csv"}, name="record_export_csv"),
    path("duplicates/", views.duplicate_queue, name="duplicate_queue"),
    path("duplicates/<int:pair_id>/", views.duplicate_pair, name="duplicate_pair"),
]

urlpatterns += [
    path("screening/", screen_views.screening_home, name="screening_home"),
    path("screening/settings/", screen_views.screening_settings, name="screening_settings"),
    path("screening/mine/", screen_views.my_decisions, name="my_decisions"),
    path("screening/conflicts/", screen_views.conflict_list, name="conflict_list"),
    path("screening/conflicts/<int:item_id>/", screen_views.conflict_resolve, name="conflict_resolve"),
    path("screening/log/", screen_views.decisions_log, name="decisions_log"),
    path("screening/log/release/<int:user_id>/", screen_views.claims_release, name="claims_release"),
    path("screening/agreement/", screen_views.agreement, name="agreement"),
    path("screening/team/", screen_views.team, name="screening_team"),
    path("screening/priority/", screen_views.priority_switch, name="priority_switch"),
    path("screening/stop/", screen_views.screening_stop, name="screening_stop"),
    path("screening/mode/", list_views.screening_mode, name="screening_mode"),
    path("screening/ta/list/", list_views.screen_list, name="screen_list"),
    path("screening/<str:stage>/", screen_views.screen, name="screen"),
    path("screening/<str:stage>/undo/", screen_views.screen_undo, name="screen_undo"),
    path("records/<int:record_id>/fulltext/", token_download(screen_views.fulltext), name="fulltext"),
    path("records/<int:record_id>/mend/", screen_views.record_mend, name="record_mend"),
    path("studies/", screen_views.study_list, name="study_list"),
    path("studies/<int:study_id>/", screen_views.study_detail, name="study_detail"),
]

urlpatterns += [
    path("prisma/", prisma_views.prisma_page, name="prisma"),
    path("prisma.svg", token_download(prisma_views.prisma_figure), {"fmt": "svg"}, name="prisma_svg"),
    path("prisma.png", token_download(prisma_views.prisma_figure), {"fmt": "png"}, name="prisma_png"),
    path("prisma.pdf", token_download(prisma_views.prisma_figure), {"fmt": "pdf"}, name="prisma_pdf"),
    path("prisma.csv", token_download(prisma_views.prisma_csv), name="prisma_csv"),
    path("prisma2020.csv", token_download(prisma_views.prisma2020_csv), name="prisma2020_csv"),
    path("prisma/records/<path:box>/", prisma_views.prisma_box, name="prisma_box"),
    path("prisma/checklist/", prisma_views.prisma_checklist, name="prisma_checklist"),
    path("prisma/checklist.csv", token_download(prisma_views.prisma_checklist), {"fmt": "csv"},
         name="prisma_checklist_csv"),
    path("searches/appendix/", prisma_views.search_appendix, name="search_appendix"),
    path("searches/appendix.md", token_download(prisma_views.search_appendix), {"fmt": "md"},
         name="search_appendix_md"),
    path("searches/appendix.csv", token_download(prisma_views.search_appendix), {"fmt": "csv"},
         name="search_appendix_csv"),
]
