"""Change in practice: action plans, check-ins, readiness, change agents, and HR's aggregate
view (under /hr/, so HR's two-factor rule applies). Included from learners/urls.py without a
namespace of its own: the names live in "learners" and start with change_."""

from django.urls import path

from . import views_change as views

urlpatterns = [
    path("endring/planer/ny/<int:course_id>/", views.plan_create, name="change_plan_create"),
    path("endring/planer/<int:pk>/", views.plan_detail, name="change_plan"),
    path("endring/planer/<int:pk>/endre/", views.plan_edit, name="change_plan_edit"),
    path(
        "endring/planer/<int:plan_pk>/oppfolging/<int:pk>/",
        views.check_in,
        name="change_check_in",
    ),
    path("endring/beredskap/<int:course_id>/", views.readiness, name="change_readiness"),
    path("endring/endringsagenter/", views.agents, name="change_agents"),
    path("endring/endringsagenter/meld-meg/", views.agent_volunteer, name="change_volunteer"),
    path("endring/endringsagenter/trekk/", views.agent_withdraw, name="change_withdraw"),
    path("hr/endring/", views.hr_report, name="change_hr"),
    path("hr/endring/enhet/<int:unit_id>/", views.hr_report, name="change_hr_unit"),
    path("hr/endring/endringsagenter/", views.hr_agents, name="change_hr_agents"),
    path(
        "hr/endring/endringsagenter/<int:pk>/fjern/",
        views.hr_agent_remove,
        name="change_hr_agent_remove",
    ),
]
