"""Invitations name a person by username or address (``invitee``), may belong to an account
(``user``), and may be declined. Existing invitations were all by address: that is their invitee."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def invitee_from_email(apps, schema_editor):
    Invitation = apps.get_model("reviewapp", "Invitation")
    Invitation.objects.update(invitee=models.F("email"))


class Migration(migrations.Migration):

    dependencies = [
        ("reviewapp", "0005_archive_export"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="invitation", name="one_pending_invitation_per_email"),
        migrations.AddField(
            model_name="invitation", name="invitee",
            field=models.CharField(default="", help_text="The username or e-mail address the lead gave.",
                                   max_length=254),
            preserve_default=False,
        ),
        migrations.RunPython(invitee_from_email, migrations.RunPython.noop),
        migrations.AddField(
            model_name="invitation", name="user",
            field=models.ForeignKey(blank=True, help_text="The account the lead named, if any: only it may accept.",
                                    null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="invitations_received", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="invitation", name="declined_at", field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="invitation", name="email",
            field=models.EmailField(blank=True, help_text="Where the link was e-mailed: the address the lead gave; "
                                    "blank when they gave a username.", max_length=254, verbose_name="e-mail"),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("accepted_at__isnull", True), ("declined_at__isnull", True),
                                   ("revoked_at__isnull", True)),
                fields=("review", "invitee"), name="one_pending_invitation_per_invitee"),
        ),
    ]
