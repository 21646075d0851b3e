"""HR reports: the dashboard per unit, the people list and one person's assignments. They read
through learners.selectors.reports; exports go through hr_export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.access import access_member, access_org_unit
from learners.forms.hr import ReportFilterForm
from learners.permissions import hr_view
from learners.selectors import reports
from learners.selectors.reports import STATUSES
from learners.services import rollups

from ._export import hr_export, wants_export


def _filters(request, unit_id=None, titles=None):
    scope = request.hr_scope
    page_unit = access_org_unit(scope=scope, pk=unit_id) if unit_id else None
    units = scope.units()
    if page_unit is not None:  # a unit's page narrows within the unit: its cost follows it
        units = units.filter(path__startswith=page_unit.path)
    # Plain tuples, not model instances: Oslo has thousands of units.
    choices = list(units.order_by("path").values_list("pk", "name", "depth", "path"))
    if titles is None:
        items = reports.item_choices(scope=scope)
    else:
        items = [(k, t) for k, t in titles.items() if k[0] == "p"]
        items += [(k, t) for k, t in titles.items() if k[0] == "c"]
    form = ReportFilterForm(request.GET or None, units=[c[:3] for c in choices], items=items)
    data = form.cleaned_data if form.is_valid() else {}
    unit = page_unit
    if data.get("unit") and data["unit"] != unit_id:
        unit = access_org_unit(scope=scope, pk=data["unit"])
    elif unit is None and scope.unit_paths:  # a manager's own unit
        own = next(pk for pk, _name, _depth, path in choices if path == scope.unit_paths[0])
        unit = access_org_unit(scope=scope, pk=own)
    filters = reports.Filters(
        unit=unit,
        item=data.get("item") or "",
        status=data.get("status") or "",
        due_before=data.get("due_before"),
    )
    return form, filters


@hr_view()
def dashboard(request, unit_id=None):
    municipality = request.hr_scope.municipality
    rollups.rollup_make_current(municipality=municipality)
    titles = reports.rollup_item_titles(municipality_id=municipality.pk)
    form, filters = _filters(request, unit_id, titles=titles)
    report = reports.dashboard(scope=request.hr_scope, filters=filters, titles=titles)
    if wants_export(request):
        header = [_("Learning path/course"), _("Unit"), *map(str, STATUSES.values()), _("Total")]
        rows = [
            [item.title, str(row.label), *row.counts.cells(), row.counts.total]
            for item in report["items"]
            for row in [
                *item.rows,
                reports.UnitRow(label=_("Sum"), unit=None, kind="sum", counts=item.total),
            ]
        ]
        return hr_export(request, name="oversikt", header=header, rows=rows)
    ancestors = list(filters.unit.get_ancestors()) if filters.unit else []
    visible_ancestors = [u for u in ancestors if request.hr_scope.covers(u)]
    return render(
        request,
        "learners/hr/dashboard.html",
        {
            **report,
            "form": form,
            "statuses": STATUSES,
            "ancestors": visible_ancestors,
            "query": request.GET.urlencode(),
        },
    )


def _person_row(row: dict) -> list:
    completed = row["completed_at"]
    return [
        row["full_name"].strip(),
        row["user__email"],
        row["unit_name"],
        row["item_title"],
        str(STATUSES[row["status"]]),
        row["due_date"],
        timezone.localtime(completed).date() if completed else None,
        row["expires_on"],
    ]


@hr_view()
def people(request, unit_id=None):
    rollups.rollup_make_current(municipality=request.hr_scope.municipality)
    form, filters = _filters(request, unit_id)
    rows = reports.people(scope=request.hr_scope, filters=filters)
    if wants_export(request):
        header = [
            _("Name"),
            _("E-mail"),
            _("Unit"),
            _("Learning path/course"),
            _("Status"),
            _("Due"),
            _("Completed"),
            _("Expires"),
        ]
        return hr_export(
            request,
            name="personer",
            header=header,
            rows=(_person_row(row) for row in rows.iterator(chunk_size=2000)),
        )
    page = Paginator(rows, 100).get_page(request.GET.get("side"))
    return render(
        request,
        "learners/hr/people.html",
        {
            "form": form,
            "page": page,
            "unit": filters.unit,
            "statuses": STATUSES,
            "query": request.GET.urlencode(),
        },
    )


@hr_view()
def person(request, user_id):
    membership = access_member(scope=request.hr_scope, pk=user_id)
    rows = reports.people(scope=request.hr_scope, filters=reports.Filters()).filter(user_id=user_id)
    return render(
        request,
        "learners/hr/person.html",
        {
            "membership": membership,
            "rows": list(rows),
            "statuses": STATUSES,
            "scorm_results": reports.scorm_results(scope=request.hr_scope, user_id=user_id),
        },
    )
