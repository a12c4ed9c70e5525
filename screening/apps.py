from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """What screening adds to the review manager, read by reviewapp/extensions.py."""

    name = "screening"
    verbose_name = "Searches and screening"
    review_stages = ("screening.stages.searches_stage", "screening.stages.screening_stage")
    api_urls = "screening.api_urls"
    audit_summaries = {"screening.Search": "screening.audit_summaries.search_summary",
                       "screening.SearchFile": "screening.audit_summaries.search_file_summary",
                       "screening.DuplicatePair": "screening.audit_summaries.duplicate_pair_summary"}
    archive_parts = ("screening.archive.parts",)
    version_figures = ("screening.prisma_update.version_figures",)
    demo_loaders = ("screening.demo.demo_searches_load", "screening.demo_screening.demo_screening_load")
