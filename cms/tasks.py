"""Background work for the site."""

from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def publish_scheduled_pages() -> None:
    """Publish revisions whose go-live time has come, and unpublish expired pages
    (Wagtail's own publish_scheduled command, run every few minutes by beat)."""
    call_command("publish_scheduled")
