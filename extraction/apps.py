from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "extraction"
    verbose_name = "Extraction and appraisal"

    def ready(self) -> None:
        from reviewapp.api_registry import register_api_urls
        from reviewapp.dashboard import register_stage

        from . import archive, stages
        from .services import outcomes

        register_api_urls("extraction.api_urls")
        register_stage(stages.extraction_stage)
        register_stage(stages.appraisal_stage)
        archive.register()
        outcomes.register()
