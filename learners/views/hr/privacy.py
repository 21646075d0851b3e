"""HR of a person's municipality, or a platform admin, erases the person (with a confirm
step)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from learners.access import access_person_for_erasure
from learners.permissions import hr_view
from learners.services.privacy import ErasureRefused, erasure_check, person_erase

REFUSALS = {
    "already_erased": gettext_lazy("This person's data has already been erased."),
    "self": gettext_lazy("You cannot erase yourself. Ask another HR adviser or a platform admin."),
    "staff": gettext_lazy("Editors and platform admins are erased by a platform admin."),
    "other_municipality": gettext_lazy(
        "This person is also a member of another municipality. A platform admin must erase them."
    ),
}


@hr_view(edit=True, platform_admin=True)
@require_http_methods(["GET", "POST"])
def person_erase_view(request, user_id: int):
    """Confirm, then erase a person's personal data."""
    person, municipality = access_person_for_erasure(scope=request.hr_scope, pk=user_id)
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
        "learners/hr/person_erase.html",
        {"person": person, "refusal": refusal, "municipality": municipality},
        status=409 if refusal and request.method == "POST" else 200,
    )
