from django.apps import AppConfig


class ReviewAppConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Reviews"
    # What this app adds through the extension points every app uses (extensions.py).
    review_stages = ("reviewapp.dashboard.protocol_stage",)
    audit_summaries = {"reviewapp.Review": "reviewapp.audit_display._review_summary",
                       "reviewapp.Outcome": "reviewapp.audit_display._outcome_summary",
                       "reviewapp.Membership": "reviewapp.audit_display._membership_summary"}
    archive_parts = ("reviewapp.archive.parts.parts",)
    # Every kind of job (imports, rankings, analysis runs, archives) is resumed by the one helper.
    resumers = ("reviewapp.jobs.jobs_resume",)

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from . import throttle  # noqa: F401 - connects the sign-in throttling signals
        from .services import user_delete_check

        def refuse_deleting_a_last_lead(sender, instance, **kwargs):
            # Holds for every way of deleting an account (admin, bulk action, shell, scripts).
            user_delete_check(user=instance)

        pre_delete.connect(refuse_deleting_a_last_lead, sender=get_user_model(), weak=False,
                           dispatch_uid="reviewapp.refuse_deleting_a_last_lead")
