"""Item analysis of a quiz for editors, in the Wagtail admin: counts across all
municipalities from the stored statistics; no names, no per-person rows."""

from django.http import Http404
from django.shortcuts import render
from wagtail.models import Page

from courses.item_analysis import MIN_LEARNERS
from learners.selectors.quiz_stats import quiz_statistics_for


def quiz_statistics_view(request, page_id: int):
    page = Page.objects.filter(pk=page_id).specific().first()
    if page is None or not getattr(page, "has_quiz", False):
        raise Http404
    if not page.permissions_for_user(request.user).can_edit():
        raise Http404
    first_only = request.GET.get("forsok") != "alle"
    stats = quiz_statistics_for(quiz_page_id=page.pk, first_only=first_only)
    return render(
        request,
        "learners/admin/quiz_statistics.html",
        {
            "page": page,
            "stats": stats,
            "data": stats.data if stats else None,
            "first_only": first_only,
            "min_learners": MIN_LEARNERS,
        },
    )
