"""Editors' errors in the page editor are recoverable. Wagtail's autosave can create a page as
a draft while the editor is still on the «add» screen (for instance just after a try that
failed validation); the editor's next save from that screen would then be refused because
the slug is taken, by their own draft. That save goes to the draft instead."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

# A draft this old is not the one the editor's current screen made.
OWN_DRAFT_WINDOW = dt.timedelta(hours=12)


def own_unfinished_draft(*, parent: Page, page_class, slug: str, user) -> Page | None:
    """The never-published page of this type under `parent` with `slug` that `user` made a
    moment ago and no one else has touched: what an earlier try of the same add screen left."""
    if not slug or not user.is_authenticated:
        return None
    page = (
        page_class.objects.child_of(parent)
        .filter(
            slug=slug,
            live=False,
            first_published_at__isnull=True,
            owner=user,
            latest_revision_created_at__gte=timezone.now() - OWN_DRAFT_WINDOW,
        )
        .first()
    )
    if page is None or page.revisions.exclude(user=user).exists():
        return None
    if page.workflow_in_progress:
        return None
    return page


@hooks.register("before_create_page")
def continue_own_draft(request, parent_page, page_class):
    """A save from the «add» screen whose slug is held by the editor's own fresh draft of the
    same page continues that draft: the browser sends the same form to its edit screen
    (307 keeps the method and the body). Autosave's background saves are left to Wagtail."""
    if request.method != "POST" or not request.accepts("text/html"):
        return None
    draft = own_unfinished_draft(
        parent=parent_page,
        page_class=page_class,
        slug=request.POST.get("slug", "").strip(),
        user=request.user,
    )
    if draft is None:
        return None
    messages.info(
        request,
        _("«%(title)s» was already saved as a draft. Your changes are saved in that draft.")
        % {"title": draft.get_admin_display_title()},
    )
    return HttpResponseRedirect(reverse("wagtailadmin_pages:edit", args=[draft.pk]), status=307)
