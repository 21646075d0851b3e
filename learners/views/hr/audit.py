"""The HR log: what HR (and what follows from HR's actions) did in the municipality."""

from django.core.paginator import Paginator
from django.shortcuts import render

from learners.permissions import hr_view
from learners.selectors.audit import hr_log, log_lines


@hr_view(edit=True)
def audit_log(request):
    entries = hr_log(municipality=request.hr_scope.municipality)
    page = Paginator(entries, 100).get_page(request.GET.get("side"))
    return render(request, "learners/hr/log.html", {"page": page, "lines": log_lines(page)})
