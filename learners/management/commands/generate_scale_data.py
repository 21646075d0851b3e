"""`manage.py generate_scale_data`: a realistic, deterministic data set at municipal scale.

The default set: all 357 municipalities get employees in a small org tree; Oslo (0301) gets
--employees people in a deep tree (sectors > departments > units > teams > sub-teams). With
--national: every municipality at its share of --people by population, large ones with deep
trees. Both: ten learning paths over the seeded courses (plus a few cheap copies),
assignments with due dates per unit, enrolments, about --progress ModuleProgress rows and
--attempts QuizAttempt rows, all consistent: a quiz module counts as done only with a passed
attempt, a completed enrolment has every module done, an assigned person is completed when
every required course of the path is. The steps are in learners/services/scale_data.py.

It refuses to run twice on the same database. Needs `seed_demo` first (the catalogue and
starter courses)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from courses.models import CatalogPage
from learners.models import Municipality, User
from learners.services import scale_data
from learners.services.rollups import rollup_rebuild
from learners.services.scale_data import EMAIL_DOMAIN, OSLO

NATIONAL = {"progress": 5_000_000, "attempts": 1_000_000}  # defaults with --national


class Command(BaseCommand):
    help = (
        "Generate a deterministic data set at municipal scale: Oslo-sized tree, learning paths, "
        "assignments, ~1M module progress rows and ~200k quiz attempts (--national: all "
        "municipalities by population, ~500k people). Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--employees", type=int, default=50_000, help="Oslo's employees")
        parser.add_argument(
            "--other-employees",
            type=int,
            default=24,
            help="Mean number of employees in each of the other 356 municipalities",
        )
        parser.add_argument(
            "--progress",
            type=int,
            default=None,
            help="Module progress rows (default 1,000,000; with --national 5,000,000)",
        )
        parser.add_argument(
            "--attempts",
            type=int,
            default=None,
            help="Quiz attempts (default 200,000; with --national 1,000,000)",
        )
        parser.add_argument(
            "--extra-courses", type=int, default=6, help="Copies of the starter courses to add"
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="Every municipality at its share of --people by population",
        )
        parser.add_argument(
            "--people", type=int, default=500_000, help="Employees in all, with --national"
        )
        parser.add_argument(
            "--only",
            default="",
            help="With --national: only these municipality numbers (comma-separated), each "
            "with the same data as in the full national set",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="The date the data is relative to (default: today)",
        )

    def handle(self, *args, **options):
        if User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            raise CommandError(
                f"Scale data is already in this database (users @{EMAIL_DOMAIN}). "
                "Generate it into a fresh database (migrate, seed_demo, generate_scale_data)."
            )
        catalog = CatalogPage.objects.first()
        if catalog is None or not Municipality.objects.filter(number=OSLO).exists():
            raise CommandError("Run `manage.py seed_demo` first (catalogue, municipalities).")
        if options["only"] and not options["national"]:
            raise CommandError("--only works with --national.")
        national = options["national"]
        defaults = NATIONAL if national else {"progress": 1_000_000, "attempts": 200_000}
        sizes = scale_data.Sizes(
            employees=options["employees"],
            other_employees=options["other_employees"],
            progress=options["progress"]
            if options["progress"] is not None
            else defaults["progress"],
            attempts=options["attempts"]
            if options["attempts"] is not None
            else defaults["attempts"],
            extra_courses=options["extra_courses"],
            people=options["people"],
        )
        today = options["today"] or timezone.localdate()
        clock = scale_data.Clock(
            today, timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))
        )
        log = self.stdout.write if options["verbosity"] >= 2 else (lambda _text: None)
        started = time.monotonic()
        with transaction.atomic():
            if national:
                only = {n.strip() for n in options["only"].split(",") if n.strip()} or None
                counts = scale_data.generate_national(
                    seed=options["seed"],
                    catalog=catalog,
                    sizes=sizes,
                    clock=clock,
                    only=only,
                    log=log,
                )
            else:
                counts = scale_data.generate(
                    seed=options["seed"], catalog=catalog, sizes=sizes, clock=clock, log=log
                )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The rows were written in bulk, past the services: HR's roll-up is built from them.
        rollup_started = time.monotonic()
        for municipality in Municipality.objects.order_by("pk"):
            rollup_rebuild(municipality=municipality)
        counts["rollup_seconds"] = round(time.monotonic() - rollup_started, 1)
        summary = {**counts, "seconds": round(time.monotonic() - started, 1)}
        self.stdout.write(
            "Scale data generated: " + ", ".join(f"{key} {value}" for key, value in summary.items())
        )
