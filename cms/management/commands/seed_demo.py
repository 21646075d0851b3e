"""Load the demo: site pages, org units, demo users and the starter curriculum. Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cms.demo import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Create or update the demo site, users and content (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="",
            help="Where the site is served, for the addresses printed at the end "
            "(default: SITE_URL). `make run PORT=…` passes its own.",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("\nDemo logins (password for all: see below)"))
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.role:<10} {user.email:<32} {user.password}")
        site_url = (options["site_url"] or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        self.stdout.write(f"  Django/Wagtail admin: {site_url}/admin/")
