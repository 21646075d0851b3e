"""HR imports employees from a CSV file: a dry run first, then the confirmed import."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from learners.forms.hr import EmployeeImportForm
from learners.permissions import hr_view
from learners.services.employee_import import employee_import


@hr_view(edit=True)
def import_employees(request):
    scope = request.hr_scope
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirm = bool(data.get("confirm")) and not data.get("file")
        result = employee_import(
            municipality=scope.municipality,
            text=data["csv_text"],
            actor=request.user,
            create_units=data["create_units"],
            dry_run=not confirm,
        )
        if confirm and not result.file_errors:
            messages.success(
                request,
                _("Imported: %(c)s created, %(u)s changed, %(r)s rejected, %(n)s unchanged.")
                % {
                    "c": result.count("create"),
                    "u": result.count("change"),
                    "r": result.count("reject"),
                    "n": result.count("unchanged"),
                },
            )
            return redirect("hr:import")
        form = EmployeeImportForm(
            initial={
                "csv_text": data["csv_text"],
                "create_units": data["create_units"],
                "confirm": True,
            }
        )
    return render(request, "learners/hr/import.html", {"form": form, "result": result})
