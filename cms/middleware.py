"""Say so when a reviewer has approved a page in «Faglig godkjenning». Wagtail's page editor
only says the page was updated, and approving from the dashboard says nothing at all."""

from django.contrib import messages
from django.utils.translation import gettext as _
from wagtail.models import Page, TaskState


class ApprovalConfirmationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        task_state_id = getattr(request, "_endra_approving", None)
        if task_state_id is not None:
            approved = (
                TaskState.objects.filter(pk=task_state_id, status=TaskState.STATUS_APPROVED)
                .select_related("workflow_state")
                .first()
            )
            if approved is not None:
                page = Page.objects.get(pk=int(approved.workflow_state.object_id))
                messages.success(request, _approved_message(page))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Before the view runs, note which review step the request approves, if any."""
        match = request.resolver_match
        if (
            request.method != "POST"
            or match is None
            or "wagtailadmin_pages" not in match.namespaces
        ):
            return None
        if match.url_name == "workflow_action" and view_kwargs.get("action_name") == "approve":
            request._endra_approving = view_kwargs["task_state_id"]
        elif (
            match.url_name == "edit"
            and request.POST.get("action-workflow-action")
            and request.POST.get("workflow-action-name") == "approve"
        ):
            page = Page.objects.filter(pk=view_kwargs.get("page_id")).first()
            state = page.current_workflow_task_state if page else None
            if state is not None:
                request._endra_approving = state.pk
        return None


def _approved_message(page: Page) -> str:
    title = page.get_admin_display_title()
    if page.live and not page.has_unpublished_changes:
        return _("You approved «%(title)s». It is published and learners can see it.") % {
            "title": title
        }
    return _("You approved «%(title)s». It goes on to the next step of the review.") % {
        "title": title
    }
