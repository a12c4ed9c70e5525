"""Included under reviews/<int:review_id>/ by analysis.urls."""
from django.urls import path

from reviewapp.page_access import token_download

from . import views

urlpatterns = [
    path("summary-of-findings/", views.sof_page, name="sof"),
    path("summary-of-findings/<int:outcome_id>/settings/", views.sof_settings, name="sof_settings"),
    path("summary-of-findings/<int:outcome_id>/ratings/", views.sof_ratings, name="sof_ratings"),
    path("summary-of-findings/accept-proposals/", views.sof_accept_all, name="sof_accept_all"),
    path("summary-of-findings.<str:fmt>", token_download(views.sof_download), name="sof_download"),
    path("exports/revman-web.zip", token_download(views.revman_download), name="revman_download"),
    path("exports/analyses-R.zip", token_download(views.r_download), name="r_download"),
    path("exports/<str:name>", token_download(views.robvis_download), name="robvis_download"),
]
