from django.apps import AppConfig


class ReviewAppConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from . import throttle  # noqa: F401 - connects the sign-in throttling signals
        from .archive import parts as archive_parts
        from .background import register_resumer
        from .services import user_delete_check

        def refuse_deleting_a_last_lead(sender, instance, **kwargs):
            # Holds for every way of deleting an account (admin, bulk action, shell, scripts).
            user_delete_check(user=instance)

        pre_delete.connect(refuse_deleting_a_last_lead, sender=get_user_model(), weak=False,
                           dispatch_uid="reviewapp.refuse_deleting_a_last_lead")
        archive_parts.register()
        # Every kind of job (imports, rankings, analysis runs, archives) is resumed by the one helper.
        register_resumer("reviewapp.jobs.jobs_resume")
