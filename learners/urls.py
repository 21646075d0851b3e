from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/enhet/<int:membership_id>/", views.profile_unit_update, name="profile_unit"),
    path(
        "kommuner/<str:number>/enheter.json",
        views.municipality_units,
        name="municipality_units",
    ),
]
