from django.db import migrations

TOPICS = [
    ("endringsledelse", "Endringsledelse"),
    ("tjenestedesign", "Tjenestedesign"),
    ("lean", "Lean"),
    ("gevinstrealisering", "Gevinstrealisering"),
    ("personvern", "Personvern"),
    ("prosjektledelse", "Prosjektledelse"),
    ("digital-ledelse", "Digital ledelse"),
]


def load(apps, schema_editor):
    Topic = apps.get_model("courses", "Topic")
    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_add_course_module_pages_topics_paths")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
