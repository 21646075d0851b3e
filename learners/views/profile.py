"""The profile: a person's memberships and units, and the public unit list for sign-up."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from learners.forms.account import ProfileUnitForm
from learners.middleware import LANGUAGE_SESSION_KEY
from learners.models import Membership, Municipality
from learners.selectors.org import membership_list_for_user, org_unit_list
from learners.services.memberships import membership_create
from learners.services.org import user_language_update


@require_GET
def municipality_units(request, number: str):
    """Public list of a municipality's units, for the sign-up form's unit picker."""
    municipality = get_object_or_404(Municipality, number=number)
    units = [
        {"id": unit.pk, "name": unit.name, "depth": unit.depth}
        for unit in org_unit_list(municipality=municipality)
    ]
    return JsonResponse({"municipality": municipality.name, "units": units})


@login_required
def profile(request):
    memberships = list(membership_list_for_user(user=request.user))
    forms = [
        (m, ProfileUnitForm(municipality=m.municipality, initial={"org_unit": m.org_unit_id}))
        for m in memberships
    ]
    return render(
        request,
        "learners/profile.html",
        {"forms": forms, "languages": settings.LANGUAGES},
    )


@require_POST
def language_choose(request):
    """The language switch: a signed-in person's choice is saved on their account (it then
    follows them to every device); a visitor's is kept in a cookie. An empty choice goes back to
    the municipality's written standard."""
    language = request.POST.get("language", "")
    if language and language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        user_language_update(user=request.user, language=language)
        request.session.pop(LANGUAGE_SESSION_KEY, None)
    if language:
        return set_language(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@login_required
def profile_unit_update(request, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, user=request.user)
    if request.method != "POST":
        return redirect("learners:profile")
    form = ProfileUnitForm(request.POST, municipality=membership.municipality)
    if form.is_valid():
        membership_create(
            user=request.user,
            municipality=membership.municipality,
            org_unit=form.cleaned_data["org_unit"],
            actor=request.user,
        )
        messages.success(request, _("Your unit has been saved."))
    else:
        messages.error(request, _("Choose a unit from the list."))
    return redirect("learners:profile")
