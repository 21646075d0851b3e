"""Publish the background tasks the outbox kept while the broker was down."""

from django.core.management.base import BaseCommand

from learners.models import OutboxMessage
from learners.services.outbox import outbox_relay


class Command(BaseCommand):
    help = (
        "Hand every unsent outbox message to the broker (Celery beat does this every minute; "
        "run it by hand or from cron after a broker outage). Safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what is waiting, send nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        if dry_run:
            self.stdout.write(f"{waiting} message(s) waiting.")
            return
        sent = outbox_relay()
        left = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"Published {sent} message(s); {left} still waiting.")
        if left:
            self.stderr.write("The broker may still be down: run again later.")
