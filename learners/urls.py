from django.urls import include, path

from . import urls_privacy, views, views_learning

app_name = "learners"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/enhet/<int:membership_id>/", views.profile_unit_update, name="profile_unit"),
    path(
        "kommuner/<str:number>/enheter.json",
        views.municipality_units,
        name="municipality_units",
    ),
    path("min-laering/", views_learning.my_learning_view, name="my_learning"),
    path("laering/kurs/<int:course_id>/meld-pa/", views_learning.enrol, name="enrol"),
    path("laering/kurs/<int:course_id>/forlat/", views_learning.leave, name="leave"),
    path("laering/modul/<int:module_id>/fullfort/", views_learning.module_done, name="module_done"),
    path(
        "laering/modul/<int:module_id>/refleksjon/<str:block_id>/",
        views_learning.reflection,
        name="reflection",
    ),
    path("laering/quiz/<int:page_id>/", views_learning.quiz, name="quiz"),
    path("laering/forsok/<int:attempt_id>/", views_learning.attempt_review, name="attempt"),
    *urls_privacy.urlpatterns,
    path("", include("learners.urls_change")),  # change in practice (issue 7)
]
