from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Searches and screening"

    def ready(self) -> None:
        from reviewapp.api_registry import register_api_urls
        from reviewapp.audit_display import register_audit_summary
        from reviewapp.dashboard import register_stage

        from . import archive, audit_summaries, stages

        for provider in (stages.searches_stage, stages.screening_stage):
            register_stage(provider)
        register_api_urls("screening.api_urls")
        register_audit_summary("screening.Search", audit_summaries.search_summary)
        register_audit_summary("screening.SearchFile", audit_summaries.search_file_summary)
        register_audit_summary("screening.DuplicatePair", audit_summaries.duplicate_pair_summary)
        archive.register()
