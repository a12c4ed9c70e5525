from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """What analysis adds to the review manager, read by reviewapp/extensions.py."""

    name = "analysis"
    verbose_name = "Analyses"
    review_stages = ("analysis.stages.analysis_stage", "analysis.sof.stages.sof_stage")
    api_urls = "analysis.api_urls"
    audit_summaries = {"analysis.AnalysisRun": "analysis.stages.run_audit_summary",
                       "analysis.GradeAssessment": "analysis.sof.audit.assessment_audit_summary"}
    audit_values = {("analysis.Analysis", field_name): "analysis.stages.study_fields_words"
                    for field_name in ("moderators", "subgroup_field", "cluster_field")}
    archive_parts = ("analysis.archive.parts",)
    demo_loaders = ("analysis.demo.demo_analyses_load",)
