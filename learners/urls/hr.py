"""Every HR page (namespace "hr"), mounted at /hr/. Every view is decorated with
learners.permissions.hr_view (outermost) and scoped to the acting user's municipality."""

from django.urls import path

from learners.views.hr import (
    assignments,
    audit,
    certificates,
    change,
    employee_import,
    privacy,
    reports,
    settings,
)

app_name = "hr"

urlpatterns = [
    path("", reports.dashboard, name="dashboard"),
    path("enhet/<int:unit_id>/", reports.dashboard, name="unit"),
    path("personer/", reports.people, name="people"),
    path("enhet/<int:unit_id>/personer/", reports.people, name="unit_people"),
    path("personer/<int:user_id>/", reports.person, name="person"),
    path("personer/<int:user_id>/slett/", privacy.person_erase_view, name="person_erase"),
    path("tildelinger/", assignments.assignments, name="assignments"),
    path("tildelinger/<int:assignment_id>/", assignments.assignment, name="assignment"),
    path(
        "tildelinger/<int:assignment_id>/framdrift/",
        assignments.assignment_progress,
        name="assignment_progress",
    ),
    path(
        "tildelinger/<int:assignment_id>/prov-igjen/",
        assignments.assignment_job_retry_view,
        name="assignment_job_retry",
    ),
    path(
        "tildelinger/<int:assignment_id>/avslutt/",
        assignments.assignment_end_view,
        name="assignment_end",
    ),
    path(
        "tildelinger/<int:assignment_id>/personer/<int:user_id>/fjern/",
        assignments.assignment_person_remove_view,
        name="assignment_person_remove",
    ),
    path("import/", employee_import.import_employees, name="import"),
    path("endring/", change.report, name="change"),
    path("endring/enhet/<int:unit_id>/", change.report, name="change_unit"),
    path("endring/endringsagenter/", change.agents, name="change_agents"),
    path(
        "endring/endringsagenter/<int:pk>/fjern/",
        change.agent_remove,
        name="change_agent_remove",
    ),
    path(
        "certifikater/<str:code>/trekk-tilbake/",
        certificates.certificate_revoke_view,
        name="certificate_revoke",
    ),
    path(
        "certifikater/<str:code>/utsted-pa-nytt/",
        certificates.certificate_reissue_view,
        name="certificate_reissue",
    ),
    path("innstillinger/", settings.settings_view, name="settings"),
    path("logg/", audit.audit_log, name="log"),
]
