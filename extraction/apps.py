from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    """What extraction and appraisal add to the review manager, read by reviewapp/extensions.py."""

    name = "extraction"
    verbose_name = "Extraction and appraisal"
    review_stages = ("extraction.stages.extraction_stage", "extraction.stages.appraisal_stage")
    api_urls = "extraction.api_urls"
    archive_parts = ("extraction.archive.parts",)
    demo_loaders = ("extraction.demo.demo_extraction_load", "extraction.appraisal.demo.demo_appraisal_load")
    outcome_references = ("extraction.services.outcomes.references",)
