"""Privacy routes, included into the "learners" namespace by learners/urls.py."""

from django.urls import path

from . import views_privacy

urlpatterns = [
    path("profil/mine-data/", views_privacy.my_data, name="my_data"),
    path("profil/mine-data.json", views_privacy.my_data_json, name="my_data_json"),
    path(
        "hr/personer/<int:user_id>/slett/",
        views_privacy.person_erase_view,
        name="person_erase",
    ),
]
