"""A signed-in person answers the invitations municipalities sent to their existing account.
Only their own invitations: another person's id gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.models import MembershipInvitation
from learners.services.ownership import invitation_answer, invitations_open_for


@login_required
def invitation_list(request):
    invitations = invitations_open_for(user=request.user)
    return render(request, "learners/invitations/list.html", {"invitations": invitations})


@login_required
@require_POST
def invitation_answer_view(request, invitation_id: int):
    accept = request.POST.get("answer") == "accept"
    try:
        membership = invitation_answer(
            invitation_id=invitation_id, user=request.user, accept=accept
        )
    except MembershipInvitation.DoesNotExist as missing:
        raise Http404 from missing
    if membership is not None:
        messages.success(
            request,
            _("You are now a member of %(municipality)s.")
            % {"municipality": membership.municipality.label},
        )
    else:
        messages.success(request, _("The invitation has been declined."))
    return redirect("learners:invitations")
