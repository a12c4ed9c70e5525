from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Searches and screening"

    def ready(self) -> None:
        from reviewapp.dashboard import register_stage

        from . import stages

        for provider in (stages.searches_stage, stages.screening_stage):
            register_stage(provider)
