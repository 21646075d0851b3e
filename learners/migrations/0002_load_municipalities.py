"""Load all 357 municipalities from learners/data/municipalities.csv (Kartverket, CC BY 4.0)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


def load(apps, schema_editor):
    Municipality = apps.get_model("learners", "Municipality")
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Municipality.objects.update_or_create(
                number=row["number"],
                defaults={
                    "name": row["name"],
                    "county_number": row["county_number"],
                    "county_name": row["county_name"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("learners", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
