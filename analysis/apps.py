from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = "Analyses"

    def ready(self) -> None:
        from reviewapp.api_registry import register_api_urls
        from reviewapp.audit_display import register_audit_summary, register_audit_value
        from reviewapp.dashboard import register_stage

        from . import archive, sof_audit, sof_stages, stages

        register_api_urls("analysis.api_urls")
        register_stage(stages.analysis_stage)
        register_stage(sof_stages.sof_stage)
        register_audit_summary("analysis.AnalysisRun", stages.run_audit_summary)
        register_audit_summary("analysis.GradeAssessment", sof_audit.assessment_audit_summary)
        for field_name in ("moderators", "subgroup_field", "cluster_field"):
            register_audit_value("analysis.Analysis", field_name, stages.study_fields_words)
        archive.register()
