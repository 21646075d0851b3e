"""Invitations to join a municipality, answered by the person themselves ("invitations")."""

from django.urls import path

from . import views_invitations

app_name = "invitations"

urlpatterns = [
    path("", views_invitations.invitation_list, name="list"),
    path(
        "<int:invitation_id>/svar/",
        views_invitations.invitation_answer_view,
        name="answer",
    ),
]
