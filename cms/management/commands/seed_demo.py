"""Load the demo: site pages, org units, demo users and the starter curriculum. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from cms.demo import DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Create or update the demo site, users and content (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("\nDemo logins (password for all: see below)"))
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.role:<10} {user.email:<32} {user.password}")
        self.stdout.write("  Django/Wagtail admin: http://127.0.0.1:8000/admin/")
