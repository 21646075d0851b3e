"""Privacy pages: a learner downloads all their data; HR of their municipality or a platform
admin erases a person (with a confirm step)."""

import json

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from .models import Membership, User
from .permissions import access_member, hr_scope
from .selectors_privacy import personal_data_export
from .services.privacy import ErasureRefused, erasure_check, person_erase

REFUSALS = {
    "already_erased": gettext_lazy("This person's data has already been erased."),
    "self": gettext_lazy("You cannot erase yourself. Ask another HR adviser or a platform admin."),
    "staff": gettext_lazy("Editors and platform admins are erased by a platform admin."),
    "other_municipality": gettext_lazy(
        "This person is also a member of another municipality. A platform admin must erase them."
    ),
}


@login_required
@require_GET
def my_data_json(request):
    """The signed-in person's own data, as a JSON download."""
    data = {
        "exported_at": timezone.now(),
        "sections": {s["key"]: s["rows"] for s in personal_data_export(user=request.user)},
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="endra-mine-data.json"'
    return response


@login_required
@require_GET
def my_data(request):
    """The signed-in person's own data, as a readable page."""
    sections = personal_data_export(user=request.user)
    return render(request, "learners/privacy/my_data.html", {"sections": sections})


def _person_for_erasure(request, user_id: int):
    """The person and the municipality the actor erases them in: HR gets people of their own
    municipality (404 otherwise), a platform admin anyone."""
    if request.user.is_superuser:
        person = User.objects.filter(pk=user_id).first()
        if person is None:
            raise Http404
        membership = Membership.objects.filter(user=person).select_related("municipality").first()
        return person, membership.municipality if membership else None
    scope = hr_scope(user=request.user)
    if not scope.can_edit:
        raise Http404
    return access_member(scope=scope, pk=user_id).user, scope.municipality


@login_required
@require_http_methods(["GET", "POST"])
def person_erase_view(request, user_id: int):
    """Confirm, then erase a person's personal data."""
    if (
        request.user.is_superuser
        and not Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
    ):
        # HR is sent to set up two-factor by the middleware; a platform admin is sent here.
        return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
    person, municipality = _person_for_erasure(request, user_id)
    refusal = None
    try:
        erasure_check(user=person, actor=request.user, municipality=municipality)
    except ErasureRefused as error:
        refusal = REFUSALS[error.code]
    if request.method == "POST" and refusal is None and request.POST.get("confirm") == "yes":
        person_erase(user=person, actor=request.user, municipality=municipality)
        messages.success(request, _("The person's data has been erased."))
        return redirect("hr:people") if not request.user.is_superuser else redirect("/")
    return render(
        request,
        "learners/privacy/person_erase.html",
        {"person": person, "refusal": refusal, "municipality": municipality},
        status=409 if refusal and request.method == "POST" else 200,
    )
