"""The content languages courses are written in: bokmål (the source) and nynorsk."""

from django.db import migrations

LANGUAGES = ["nb", "nn"]


def load(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_load_topics"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
