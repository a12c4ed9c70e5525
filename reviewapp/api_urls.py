"""/api/v1/: reviewapp's routes, each app's declared routes under reviews/<review_id>/, the
OpenAPI schema and its browsable page."""
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from .api import audit, invitations, members, outcomes, reviews, schema, webhooks, whoami
from .archive import api as archive_api
from .extensions import declared
from .notifications import api as notifications_api
from .versions import api as versions_api

review_patterns = [
    path("", reviews.ReviewDetailApi.as_view(), name="api_review"),
    path("outcomes/", outcomes.OutcomeListApi.as_view(), name="api_outcomes"),
    path("outcomes/<int:outcome_id>/", outcomes.OutcomeDetailApi.as_view(), name="api_outcome"),
    path("archives/", outcomes.ReviewArchiveListApi.as_view(), name="api_review_archives"),
    path("archives/<int:export_id>/", outcomes.ReviewArchiveApi.as_view(), name="api_review_archive"),
    path("archives/<int:export_id>/cancel/", outcomes.ReviewArchiveCancelApi.as_view(),
         name="api_review_archive_cancel"),
    path("archives/<int:export_id>/again/", outcomes.ReviewArchiveAgainApi.as_view(), name="api_review_archive_again"),
    path("archives/<int:export_id>/file/", outcomes.ReviewArchiveFileApi.as_view(), name="api_review_archive_file"),
    path("versions/", versions_api.ReviewVersionListApi.as_view(), name="api_review_versions"),
    path("versions/<int:number>/", versions_api.ReviewVersionApi.as_view(), name="api_review_version"),
    path("versions/<int:number>/file/", versions_api.ReviewVersionFileApi.as_view(), name="api_review_version_file"),
    path("members/", members.MemberListApi.as_view(), name="api_members"),
    path("members/<int:user_id>/", members.MemberDetailApi.as_view(), name="api_member"),
    path("invitations/", invitations.InvitationListApi.as_view(), name="api_invitations"),
    path("invitations/<int:invitation_id>/revoke/", invitations.InvitationRevokeApi.as_view(),
         name="api_invitation_revoke"),
    path("audit/", audit.AuditListApi.as_view(), name="api_audit"),
    path("webhooks/", webhooks.WebhookListApi.as_view(), name="api_webhooks"),
    path("webhooks/<int:webhook_id>/", webhooks.WebhookDetailApi.as_view(), name="api_webhook"),
    path("webhooks/<int:webhook_id>/deliveries/", webhooks.WebhookDeliveryListApi.as_view(),
         name="api_webhook_deliveries"),
]
# Stage apps (screening, then extraction and analysis) name their modules on their AppConfig (extensions.py).
review_patterns += [path("", include(module)) for module in declared("api_urls")]

urlpatterns = [
    path("me/", whoami.MeApi.as_view(), name="api_me"),
    path("me/invitations/", whoami.MyInvitationListApi.as_view(), name="api_my_invitations"),
    path("me/invitations/<int:invitation_id>/accept/", whoami.MyInvitationAnswerApi.as_view(answer="accept"),
         name="api_my_invitation_accept"),
    path("me/invitations/<int:invitation_id>/decline/", whoami.MyInvitationAnswerApi.as_view(answer="decline"),
         name="api_my_invitation_decline"),
    path("me/notifications/", notifications_api.NotificationListApi.as_view(), name="api_notifications"),
    path("me/notifications/<int:notification_id>/read/", notifications_api.NotificationReadApi.as_view(),
         name="api_notification_read"),
    path("me/notifications/read/", notifications_api.NotificationsReadAllApi.as_view(),
         name="api_notifications_read_all"),
    path("me/notifications/preferences/", notifications_api.NotificationPreferencesApi.as_view(),
         name="api_notification_preferences"),
    path("reviews/", reviews.ReviewListApi.as_view(), name="api_reviews"),
    path("reviews/import/", archive_api.ReviewImportApi.as_view(), name="api_review_import"),
    path("reviews/import/<int:import_id>/", archive_api.ArchiveImportApi.as_view(), name="api_review_import_job"),
    path("reviews/import/<int:import_id>/again/", archive_api.ArchiveImportAgainApi.as_view(),
         name="api_review_import_again"),
    path("reviews/<int:review_id>/", include(review_patterns)),
    path("schema/", schema.SchemaApi.as_view(), name="api_schema"),
    # The split view serves its script as a file: the Content-Security-Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
