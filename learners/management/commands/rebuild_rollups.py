"""Recompute HR's roll-up (per unit, path or course, and status) from the rows, for every
municipality or the ones named; safe to run again at any time."""

import time

from django.core.management.base import BaseCommand, CommandError

from learners.models import Municipality
from learners.services.rollups import rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the HR roll-up from scratch (all municipalities, or --municipality NUMBER)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipality",
            action="append",
            default=[],
            metavar="NUMBER",
            help="Four-digit municipality number; may be repeated. Default: all.",
        )

    def handle(self, *args, municipality: list[str], **options):
        municipalities = Municipality.objects.order_by("number")
        if municipality:
            municipalities = municipalities.filter(number__in=municipality)
            missing = set(municipality) - set(municipalities.values_list("number", flat=True))
            if missing:
                raise CommandError(f"No municipality numbered {', '.join(sorted(missing))}.")
        started = time.perf_counter()
        total = 0
        for one in municipalities:
            counted = rollup_rebuild(municipality=one)
            total += counted
            if counted:
                self.stdout.write(f"{one.name} ({one.number}): {counted} assigned people")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Rebuilt: {total} assigned people counted in {seconds:.1f} s.")
