from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

review_patterns = [
    path("", views.review_dashboard, name="review_dashboard"),
    path("edit/", views.review_edit, name="review_edit"),
    path("outcomes/", views.review_outcomes, name="review_outcomes"),
    path("outcomes/<int:outcome_id>/", views.outcome_edit, name="outcome_edit"),
    path("members/", views.review_members, name="review_members"),
    path("members/<int:user_id>/roles/", views.member_roles, name="member_roles"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit.csv", views.audit_export, name="audit_export"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:review_id>/", include(review_patterns)),
    path("reviews/<int:review_id>/", include("screening.urls")),
    path("reviews/<int:review_id>/", include("extraction.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
