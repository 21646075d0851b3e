from django.shortcuts import render

from courses.selectors import site_search


def search(request):
    """Site search over published courses and modules (Wagtail search; PostgreSQL full text
    when the database is PostgreSQL)."""
    query = request.GET.get("q", "").strip()[:200]
    return render(request, "cms/search.html", {"query": query, "results": site_search(query=query)})
