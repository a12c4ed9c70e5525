"""The extraction app's API routes (extraction, outcome data and appraisal); reviewapp includes
them under /api/v1/reviews/<review_id>/ (registered in ExtractionConfig.ready)."""
from django.urls import path

from .api import consensus, designs, entries, forms, outcome_data, summaries
from .appraisal import api as appraisal

ENTRY = "extraction/forms/<int:form_id>/studies/<int:study_id>/entry/"
APPRAISAL_ENTRY = "appraisal/tools/<int:tool_id>/studies/<int:study_id>/entry/"

urlpatterns = [
    path("extraction/forms/", forms.FormListApi.as_view(), name="api_extraction_forms"),
    path("extraction/forms/<int:form_id>/", forms.FormDetailApi.as_view(), name="api_extraction_form"),
    path("extraction/forms/<int:form_id>/sections/", forms.FormSectionsApi.as_view(),
         name="api_extraction_form_sections"),
    path("extraction/forms/<int:form_id>/sections/<slug:section_key>/", forms.FormSectionApi.as_view(),
         name="api_extraction_form_section"),
    path("extraction/forms/<int:form_id>/sections/<slug:section_key>/fields/", forms.FormFieldsApi.as_view(),
         name="api_extraction_form_fields"),
    path("extraction/forms/<int:form_id>/sections/<slug:section_key>/fields/<slug:field_key>/",
         forms.FormFieldApi.as_view(), name="api_extraction_form_field"),
    path("extraction/forms/<int:form_id>/draft/discard/", forms.FormDraftDiscardApi.as_view(),
         name="api_extraction_form_draft_discard"),
    path("extraction/forms/<int:form_id>/sections/<slug:section_key>/move/", forms.FormItemMoveApi.as_view(),
         name="api_extraction_form_section_move"),
    path("extraction/forms/<int:form_id>/sections/<slug:section_key>/fields/<slug:field_key>/move/",
         forms.FormItemMoveApi.as_view(), name="api_extraction_form_field_move"),
    path("extraction/forms/<int:form_id>/versions/", forms.FormVersionListApi.as_view(),
         name="api_extraction_form_versions"),
    path("extraction/forms/<int:form_id>/versions/<int:number>/", forms.FormVersionApi.as_view(),
         name="api_extraction_form_version"),
    path("extraction/design-mapping/", designs.DesignMappingApi.as_view(), name="api_design_mapping"),
    path("extraction/forms/<int:form_id>/versions/<int:number>/answers-schema/",
         forms.FormVersionAnswersSchemaApi.as_view(), name="api_extraction_form_version_answers_schema"),
    path(ENTRY, entries.EntryApi.as_view(), name="api_extraction_entry"),
    path(ENTRY + "reopen/", entries.EntryReopenApi.as_view(), name="api_extraction_entry_reopen"),
    path("extractions/", entries.ExtractionListApi.as_view(), name="api_extractions"),
    path("extractions/<int:extraction_id>/", entries.ExtractionDetailApi.as_view(), name="api_extraction"),
    path("extractions/<int:extraction_id>/differences/", consensus.DifferencesApi.as_view(),
         name="api_extraction_differences"),
    path("extractions/<int:extraction_id>/settlements/", consensus.SettlementsApi.as_view(),
         name="api_extraction_settlements"),
    path("extractions/<int:extraction_id>/finalise/", consensus.FinaliseApi.as_view(), name="api_extraction_finalise"),
    path("extractions/<int:extraction_id>/reopen/", consensus.ConsensusReopenApi.as_view(),
         name="api_extraction_reopen"),
    path("extraction/summaries/", summaries.SummariesApi.as_view(), name="api_extraction_summaries"),
    path("extraction/characteristics/", summaries.CharacteristicsApi.as_view(), name="api_extraction_characteristics"),
    path("outcome-data/", outcome_data.OutcomeDataApi.as_view(), name="api_outcome_data"),
    path("appraisal/tools/", appraisal.ToolListApi.as_view(), name="api_appraisal_tools"),
    path("appraisal/tools/<int:tool_id>/", appraisal.ToolDetailApi.as_view(), name="api_appraisal_tool"),
    path(APPRAISAL_ENTRY, appraisal.AppraisalEntryApi.as_view(), name="api_appraisal_entry"),
    path(APPRAISAL_ENTRY + "reopen/", appraisal.AppraisalEntryReopenApi.as_view(), name="api_appraisal_entry_reopen"),
    path("appraisals/", appraisal.AppraisalListApi.as_view(), name="api_appraisals"),
    path("appraisals/<int:appraisal_id>/", appraisal.AppraisalDetailApi.as_view(), name="api_appraisal"),
    path("appraisals/<int:appraisal_id>/differences/", appraisal.AppraisalDifferencesApi.as_view(),
         name="api_appraisal_differences"),
    path("appraisals/<int:appraisal_id>/settlements/", appraisal.AppraisalSettlementsApi.as_view(),
         name="api_appraisal_settlements"),
    path("appraisals/<int:appraisal_id>/finalise/", appraisal.AppraisalFinaliseApi.as_view(),
         name="api_appraisal_finalise"),
    path("appraisals/<int:appraisal_id>/reopen/", appraisal.AppraisalReopenApi.as_view(),
         name="api_appraisal_reopen"),
]
