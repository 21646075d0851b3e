"""Anonymise people whose last activity is older than their municipality's retention period."""

from django.core.management.base import BaseCommand

from learners.services.privacy import retention_anonymise


class Command(BaseCommand):
    help = "Anonymise people past their municipality's retention period (--dry-run: only show)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show who would be anonymised; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        results = retention_anonymise(dry_run=dry_run)
        verb = "would be anonymised" if dry_run else "anonymised"
        total = set()
        for result in results:
            self.stdout.write(
                f"{result.municipality.name} ({result.municipality.number}): "
                f"{len(result.people)} {verb} (retention {result.months} months, "
                f"no activity since {result.cutoff:%Y-%m-%d})"
            )
            for person in result.people:
                total.add(person["id"])
                self.stdout.write(
                    f"  #{person['id']} {person['name'] or '-'} <{person['email']}>, "
                    f"last activity {person['last_activity']:%Y-%m-%d}"
                )
        self.stdout.write(f"Total: {len(total)} people {verb}.")
