"""Parallel quiz submissions against a SQLite file, as `make run` serves them.

Run as a script (tests/learners/test_sqlite_concurrency.py starts it): DATABASE_URL names a
fresh SQLite file. It migrates, seeds, then lets THREADS learners submit a quiz at the same
moment through the real view, each thread with its own database connection, and prints one
JSON line: how many answers came back as redirects to the result, and every error."""

import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from courses.models import ModulePage  # noqa: E402
from learners.forms.learning import QuizForm  # noqa: E402
from learners.services.learning import enrolment_create  # noqa: E402
from learners.services.quiz import quiz_attempt_start  # noqa: E402
from tests.factories import MembershipFactory  # noqa: E402

THREADS = int(os.environ.get("THREADS", "20"))


def _post_data(attempt) -> dict:
    """An answer to every question (the first choices; places 1, 2, 3 … for orderings)."""
    form = QuizForm(attempt=attempt)
    data = {"attempt": str(attempt.pk)}
    for item in form.questions:
        kind, names = item["question"]["kind"], item["names"]
        first = item["choices"][0][0]
        if kind == "ordering":
            data.update({name: str(place) for place, name in enumerate(names, start=1)})
        elif kind == "multiple":
            data[names[0]] = [first]
        else:
            data[names[0]] = first
    return data


def main() -> None:
    assert connection.vendor == "sqlite" and connection.settings_dict["NAME"] != ":memory:"
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    module = ModulePage.objects.live().filter(completion="quiz").first()
    course = module.get_parent().specific
    jobs = []
    for number in range(THREADS):
        user = MembershipFactory(user__email=f"samtidig{number}@bergen.example").user
        enrolment = enrolment_create(user=user, course=course)
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
        client = Client()
        client.force_login(user)
        jobs.append((client, _post_data(attempt)))
    connections.close_all()
    url = reverse("learners:quiz", args=[module.pk])
    start = threading.Barrier(THREADS)
    statuses, errors = [], []

    def submit(client, data):
        start.wait()
        try:
            statuses.append(client.post(url, data).status_code)
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    print(json.dumps({"statuses": statuses, "errors": errors, "journal_mode": journal}))


if __name__ == "__main__":
    main()
