"""Included under reviews/<int:review_id>/, so every view receives review_id."""
from django.urls import path

from reviewapp.page_access import token_download

from . import describe_views, design_views, views
from .appraisal import views as appraisal

urlpatterns = [
    path("extraction/", views.extraction_home, name="extraction_home"),
    path("extraction/forms/", views.form_list, name="form_list"),
    path("extraction/forms/<int:template_id>/", views.form_builder, name="form_builder"),
    path("extraction/forms/<int:template_id>/sections/new/", views.form_section, name="form_section_new"),
    path("extraction/forms/<int:template_id>/sections/<slug:section_key>/", views.form_section,
         name="form_section"),
    path("extraction/forms/<int:template_id>/sections/<slug:section_key>/fields/new/", views.form_field,
         name="form_field_new"),
    path("extraction/forms/<int:template_id>/sections/<slug:section_key>/fields/<slug:field_key>/",
         views.form_field, name="form_field"),
    path("extraction/forms/<int:template_id>/studies/<int:study_id>/", views.entry_form, name="entry_form"),
    path("extraction/forms/<int:template_id>/studies/<int:study_id>/autosave/", views.entry_autosave,
         name="entry_autosave"),
    path("extraction/forms/<int:template_id>/studies/<int:study_id>/compare/", views.compare, name="compare"),
    path("extraction/studies/<int:study_id>/", views.study_page, name="extraction_study"),
    path("extraction/summaries/", describe_views.summaries_page, name="extraction_summaries"),
    path("extraction/characteristics/", describe_views.characteristics_page, name="extraction_characteristics"),
    path("extraction/characteristics.<str:fmt>", token_download(describe_views.characteristics_download),
         name="extraction_characteristics_download"),
    path("extraction/designs/", design_views.study_designs, name="study_designs"),
    path("extraction/designs/studies/", design_views.study_designs_set, name="study_designs_set"),
    path("extraction/export/<str:shape>.<str:fmt>", token_download(views.export), name="extraction_export"),
    path("appraisal/", appraisal.appraisal_home, name="appraisal_home"),
    path("appraisal/tools/custom/", appraisal.custom_tool, name="appraisal_custom_tool_new"),
    path("appraisal/tools/<int:template_id>/custom/", appraisal.custom_tool, name="appraisal_custom_tool"),
    path("appraisal/tools/<int:template_id>/figures/", appraisal.appraisal_figures, name="appraisal_figures"),
    path("appraisal/tools/<int:template_id>/figures/<slug:kind>.<str:fmt>", token_download(appraisal.appraisal_figure),
         name="appraisal_figure"),
    path("appraisal/studies/<int:study_id>/", appraisal.appraisal_study, name="appraisal_study"),
    path("appraisal/tools/<int:template_id>/studies/<int:study_id>/", appraisal.appraisal_entry,
         name="appraisal_entry"),
    path("appraisal/tools/<int:template_id>/studies/<int:study_id>/autosave/", appraisal.appraisal_autosave,
         name="appraisal_autosave"),
    path("appraisal/tools/<int:template_id>/studies/<int:study_id>/compare/", appraisal.appraisal_compare,
         name="appraisal_compare"),
    path("appraisal/export.csv", token_download(appraisal.appraisal_export), name="appraisal_export"),
]
