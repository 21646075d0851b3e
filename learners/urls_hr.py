"""HR pages, mounted at /hr/. Every view is scoped to the acting user's municipality."""

from django.urls import path

from . import views_hr

app_name = "hr"

urlpatterns = [
    path("", views_hr.dashboard, name="dashboard"),
    path("enhet/<int:unit_id>/", views_hr.dashboard, name="unit"),
    path("personer/", views_hr.people, name="people"),
    path("enhet/<int:unit_id>/personer/", views_hr.people, name="unit_people"),
    path("personer/<int:user_id>/", views_hr.person, name="person"),
    path("tildelinger/", views_hr.assignments, name="assignments"),
    path("tildelinger/<int:assignment_id>/", views_hr.assignment, name="assignment"),
    path(
        "tildelinger/<int:assignment_id>/avslutt/",
        views_hr.assignment_end_view,
        name="assignment_end",
    ),
    path(
        "tildelinger/<int:assignment_id>/personer/<int:user_id>/fjern/",
        views_hr.assignment_person_remove_view,
        name="assignment_person_remove",
    ),
    path("import/", views_hr.import_employees, name="import"),
    path("innstillinger/", views_hr.settings_view, name="settings"),
    path("logg/", views_hr.audit_log, name="log"),
]
