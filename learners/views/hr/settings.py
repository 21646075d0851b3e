"""HR settings of the municipality (the reminder schedule)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from learners.forms.hr import MunicipalitySettingsForm
from learners.permissions import hr_view
from learners.selectors.xapi import lrs_delivery_state
from learners.services.hr import municipality_settings_update
from learners.services.reminders import settings_for


@hr_view(edit=True)
def settings_view(request):
    scope = request.hr_scope
    current = settings_for(scope.municipality.pk)
    form = MunicipalitySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        municipality_settings_update(
            municipality=scope.municipality, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The reminder settings have been saved."))
        return redirect("hr:settings")
    return render(
        request,
        "learners/hr/settings.html",
        {"form": form, "lrs": lrs_delivery_state(municipality=scope.municipality)},
    )
