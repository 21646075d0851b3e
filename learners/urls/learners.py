"""The learner's pages (namespace "learners"): profile, learning, change in practice, my data."""

from django.urls import path

from learners.views import change, invitations, learning, privacy, profile, scorm

app_name = "learners"

urlpatterns = [
    path("profil/", profile.profile, name="profile"),
    path("sprak/", profile.language_choose, name="language"),
    path("profil/enhet/<int:membership_id>/", profile.profile_unit_update, name="profile_unit"),
    path(
        "kommuner/<str:number>/enheter.json",
        profile.municipality_units,
        name="municipality_units",
    ),
    path("profil/invitasjoner/", invitations.invitation_list, name="invitations"),
    path(
        "profil/invitasjoner/<int:invitation_id>/svar/",
        invitations.invitation_answer_view,
        name="invitation_answer",
    ),
    path("profil/mine-data/", privacy.my_data, name="my_data"),
    path("profil/mine-data.json", privacy.my_data_json, name="my_data_json"),
    path("min-laering/", learning.my_learning_view, name="my_learning"),
    path("laering/kurs/<int:course_id>/meld-pa/", learning.enrol, name="enrol"),
    path("laering/kurs/<int:course_id>/forlat/", learning.leave, name="leave"),
    path("laering/modul/<int:module_id>/fullfort/", learning.module_done, name="module_done"),
    path(
        "laering/modul/<int:module_id>/refleksjon/<str:block_id>/",
        learning.reflection,
        name="reflection",
    ),
    path("laering/modul/<int:module_id>/scorm/", scorm.scorm_open, name="scorm_open"),
    path("laering/scorm/<int:attempt_id>/", scorm.scorm_data, name="scorm_data"),
    path("laering/quiz/<int:page_id>/", learning.quiz, name="quiz"),
    path("laering/forsok/<int:attempt_id>/", learning.attempt_review, name="attempt"),
    path("endring/planer/ny/<int:course_id>/", change.plan_create, name="change_plan_create"),
    path("endring/planer/<int:pk>/", change.plan_detail, name="change_plan"),
    path("endring/planer/<int:pk>/endre/", change.plan_edit, name="change_plan_edit"),
    path(
        "endring/planer/<int:plan_pk>/oppfolging/<int:pk>/",
        change.check_in,
        name="change_check_in",
    ),
    path("endring/beredskap/<int:course_id>/", change.readiness, name="change_readiness"),
    path("endring/endringsagenter/", change.agents, name="change_agents"),
    path("endring/endringsagenter/meld-meg/", change.agent_volunteer, name="change_volunteer"),
    path("endring/endringsagenter/trekk/", change.agent_withdraw, name="change_withdraw"),
]
