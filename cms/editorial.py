"""The editorial set-up: Editors draft, Reviewers approve in the «Faglig godkjenning»
workflow. Neither group gets any permission on learners, users or groups."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

EDITORS, REVIEWERS = "Editors", "Reviewers"
WORKFLOW_NAME = "Faglig godkjenning"

_ADMIN_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("courses", "add_topic"),
    ("courses", "change_topic"),
    ("courses", "add_learningpath"),
    ("courses", "change_learningpath"),
    ("courses", "add_learningpathcourse"),
    ("courses", "change_learningpathcourse"),
    ("courses", "delete_learningpathcourse"),
    # «Translate» on a page: copy a bokmål course for its nynorsk version.
    ("simple_translation", "submit_translation"),
]
_PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    REVIEWERS: ["add_page", "change_page", "publish_page"],
}


def editorial_setup(*, root: Page) -> Workflow:
    """Create the groups, their permissions under `root` and its translations (the nynorsk
    home), and the review workflow (idempotent)."""
    roots = list(root.get_translations(inclusive=True))
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (EDITORS, REVIEWERS)}
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in _ADMIN_PERMISSIONS
    ]
    for name, group in groups.items():
        group.permissions.add(*permissions)
        for codename in _PAGE_PERMISSIONS[name]:
            for page in roots:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=page,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    # The task carries the workflow's name: editors and reviewers see one name for one step.
    # An existing task (once called «Faglig vurdering») is renamed, not duplicated.
    link = WorkflowTask.objects.filter(workflow=workflow).order_by("sort_order").first()
    task = (
        GroupApprovalTask.objects.get(pk=link.task_id)
        if link
        else GroupApprovalTask.objects.get_or_create(name=WORKFLOW_NAME)[0]
    )
    if task.name != WORKFLOW_NAME:
        task.name = WORKFLOW_NAME
        task.save(update_fields=["name"])
    task.groups.set([groups[REVIEWERS]])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for page in roots:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow
