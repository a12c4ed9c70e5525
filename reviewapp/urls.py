from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reviewapp.page_access import token_download

from . import health, views
from .archive import views as archive_views
from .forms import SignInForm
from .notifications import views as notification_views
from .page_access import public_page, signed_in_page
from .versions import views as version_views

review_patterns = [
    path("", views.review_dashboard, name="review_dashboard"),
    path("edit/", views.review_edit, name="review_edit"),
    path("outcomes/", views.review_outcomes, name="review_outcomes"),
    path("outcomes/<int:outcome_id>/", views.outcome_edit, name="outcome_edit"),
    path("members/", views.review_members, name="review_members"),
    path("members/<int:user_id>/roles/", views.member_roles, name="member_roles"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/invitations/<int:invitation_id>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit.csv", token_download(views.audit_export), name="audit_export"),
    path("archive/", archive_views.review_archive, name="review_archive"),
    path("archive/<int:export_id>/cancel/", archive_views.review_archive_cancel, name="review_archive_cancel"),
    path("archive/<int:export_id>/again/", archive_views.review_archive_again, name="review_archive_again"),
    path("archive/<int:export_id>.zip", token_download(archive_views.review_archive_download),
         name="review_archive_download"),
    path("versions/", version_views.review_versions, name="review_versions"),
    path("versions/v<int:number>.zip", token_download(version_views.review_version_download),
         name="review_version_download"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/import/", archive_views.review_import, name="review_import"),
    path("reviews/import/<int:import_id>/", archive_views.review_import_detail, name="review_import_detail"),
    path("reviews/import/<int:import_id>/again/", archive_views.review_import_again, name="review_import_again"),
    path("reviews/<int:review_id>/", include(review_patterns)),
    path("reviews/<int:review_id>/", include("screening.urls")),
    path("reviews/<int:review_id>/", include("extraction.urls")),
    path("reviews/<int:review_id>/", include("analysis.urls")),
    path("api/v1/", include("reviewapp.api_urls")),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/<int:notification_id>/read/", notification_views.notification_read,
         name="notification_read"),
    path("notifications/read/", notification_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/unsubscribe/<str:token>/", notification_views.notifications_unsubscribe,
         name="notifications_unsubscribe"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/login/", public_page(auth_views.LoginView.as_view(authentication_form=SignInForm)), name="login"),
    path("accounts/logout/", public_page(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/", signed_in_page(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path("accounts/password/done/", signed_in_page(auth_views.PasswordChangeDoneView.as_view()),
         name="password_change_done"),
    path("invitations/<int:invitation_id>/accept/", views.invitation_answer, {"answer": "accept"},
         name="invitation_accept_mine"),
    path("invitations/<int:invitation_id>/decline/", views.invitation_answer, {"answer": "decline"},
         name="invitation_decline_mine"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Password reset by e-mail, with Django's views and our templates in templates/registration/.
    path("accounts/password/reset/", public_page(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path("accounts/password/reset/sent/", public_page(auth_views.PasswordResetDoneView.as_view()),
         name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", public_page(views.PasswordResetConfirm.as_view()),
         name="password_reset_confirm"),
    path("accounts/password/reset/complete/", public_page(auth_views.PasswordResetCompleteView.as_view()),
         name="password_reset_complete"),
    path("admin/", admin.site.urls),
]

# The app's own error pages, with navigation and a reason (errors.ErrorPagesMiddleware shows
# them with DEBUG on too).
handler400 = "reviewapp.errors.bad_request"
handler403 = "reviewapp.errors.permission_denied"
handler404 = "reviewapp.errors.page_not_found"
handler500 = "reviewapp.errors.server_error"

# Uploaded files (search exports, full texts) are never served from MEDIA_URL, not even with
# DEBUG on: only the views that check membership hand them out (search_file_download, fulltext).
