"""Assignments made in the background: set-based batches whose statements do not grow with the
people, the same enrolments and audit rows as one-by-one enrolment, a re-run that adds nobody
twice, a stopped job HR can start again, and progress only HR of the municipality can see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learners.models import (
    AssignmentJob,
    AssignmentPerson,
    AuditLog,
    Certificate,
    Enrolment,
    Membership,
)
from learners.services.assignments import (
    assignment_create,
    assignment_job_run,
    assignment_start,
)
from learners.services.learning import enrolment_create
from tests.learners.hr_support import (
    complete_course,
    course_make,
    path_make,
    people_in,
    person,
    totp_for,
    unit,
)

pytestmark = pytest.mark.django_db


def _start(municipality, hr, org_unit, item):
    """Start a unit assignment; its job waits (the test's transaction never commits)."""
    kind = "learning_path" if hasattr(item, "path_courses") else "course"
    return assignment_start(
        municipality=municipality, actor=hr, target="unit", org_unit=org_unit, **{kind: item}
    )


def _queries_to_run(job) -> int:
    with CaptureQueriesContext(connection) as queries:
        finished = assignment_job_run(job_id=job.pk)
    assert finished.state == AssignmentJob.State.DONE, finished.error
    return len(queries)


def test_a_batch_costs_the_same_statements_for_ten_people_as_for_sixty(kommune, settings):
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    path = path_make(courses=[(course_make("Kurs A"), True), (course_make("Kurs B"), False)])
    small, large = unit(kommune, "Lite team"), unit(kommune, "Stor etat")
    people_in(kommune, small, 10)
    people_in(kommune, large, 60)
    settings.ASSIGNMENT_BATCH_SIZE = 60
    one_small_batch = _queries_to_run(_start(kommune, hr, small, path))
    other_path = path_make("Sti 3", courses=[(course_make("Kurs C"), True), (course_make(), True)])
    one_large_batch = _queries_to_run(_start(kommune, hr, large, other_path))
    assert one_small_batch == one_large_batch

    # Three batches of 20 cost three times one batch's statements, plus the same ending.
    settings.ASSIGNMENT_BATCH_SIZE = 20
    other = unit(kommune, "Tredje")
    people_in(kommune, other, 60)
    three_batches = _queries_to_run(_start(kommune, hr, other, path))
    per_batch = (three_batches - one_large_batch) // 2
    assert three_batches == one_large_batch + 2 * per_batch
    # The batch's own writes, plus HR's roll-up refreshed once for everyone it added.
    assert per_batch <= 24, "a batch is a fixed handful of statements"
    job = AssignmentJob.objects.get(assignment__org_unit=other)
    assert (job.batches, job.done, job.added, job.total) == (3, 60, 60, 60)


def test_people_get_what_one_by_one_enrolment_gave_them(kommune, annen, settings):
    """A self-chosen enrolment becomes assigned, a course left is re-opened, new enrolments
    get their audit row in the person's home municipality, and who has done every required
    course completes the path at once, with its certificate."""
    settings.ASSIGNMENT_BATCH_SIZE = 2
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    team = unit(kommune, "Team")
    first, second = course_make("Første"), course_make("Andre")
    path = path_make(courses=[(first, True), (second, True)])
    chose = person(kommune, team, name="Sara Selv")
    left = person(kommune, team, name="Leif Forlot")
    done = person(kommune, team, name="Dina Ferdig")
    new = person(kommune, team, name="Nina Ny")
    home_elsewhere = person(annen, None, name="Hege Hjemme")
    Membership.objects.create(user=home_elsewhere, municipality=kommune, org_unit=team)
    enrolment_create(user=chose, course=first)
    gone = enrolment_create(user=left, course=first)
    Enrolment.objects.filter(pk=gone.pk).update(status=Enrolment.Status.LEFT)
    for course in (first, second):
        enrolment_create(user=done, course=course)
        complete_course(done, course)
    outsider = person(annen, unit(annen, "Team"), name="Ola Utenfor")

    job = _start(kommune, hr, team, path)
    assert not AssignmentPerson.objects.filter(assignment=job.assignment).exists()
    job = assignment_job_run(job_id=job.pk)

    assert job.state == AssignmentJob.State.DONE and job.batches == 3
    assigned = AssignmentPerson.objects.filter(assignment=job.assignment)
    assert set(assigned.values_list("user_id", flat=True)) == {
        chose.pk, left.pk, done.pk, new.pk, home_elsewhere.pk
    }  # fmt: skip
    mine = Enrolment.objects.filter(course__in=[first, second])
    assert not mine.filter(user=outsider).exists()
    assert set(mine.values_list("source", flat=True)) == {Enrolment.Source.ASSIGNMENT}
    assert mine.get(user=left, course=first).status == Enrolment.Status.ACTIVE
    assert mine.get(user=home_elsewhere, course=first).municipality == annen
    new_rows = AuditLog.objects.filter(action="enrolment.create", actor=new)
    assert sorted(new_rows.values_list("data__course_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    assert {row.target_id for row in new_rows} == {
        str(pk) for pk in mine.filter(user=new).values_list("pk", flat=True)
    }
    assert new_rows.first().municipality == kommune
    assert assigned.get(user=done).completed_at is not None
    assert assigned.filter(completed_at__isnull=False).count() == 1
    assert Certificate.objects.filter(user=done, learning_path=path).count() == 1
    create = AuditLog.objects.get(action="assignment.create", target_id=str(job.assignment_id))
    assert create.data["people"] == 5 and create.actor == hr


def test_running_a_job_again_from_the_start_adds_nobody_twice(kommune, settings):
    settings.ASSIGNMENT_BATCH_SIZE = 7
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    team = unit(kommune, "Team")
    people_in(kommune, team, 30)
    course = course_make()
    job = assignment_job_run(job_id=_start(kommune, hr, team, course).pk)
    counts = (
        AssignmentPerson.objects.count(),
        Enrolment.objects.count(),
        AuditLog.objects.count(),
    )
    # The worker died after the last batch but before the task was acknowledged: the task is
    # delivered again and starts from the beginning.
    AssignmentJob.objects.filter(pk=job.pk).update(
        state=AssignmentJob.State.QUEUED, done=0, added=0, batches=0
    )
    again = assignment_job_run(job_id=job.pk)
    assert again.state == AssignmentJob.State.DONE and again.done == 30 and again.added == 0
    assert counts == (
        AssignmentPerson.objects.count(),
        Enrolment.objects.count(),
        AuditLog.objects.count(),
    )
    assert AssignmentPerson.objects.filter(assignment=job.assignment).count() == 30
    # Giving the same course to the same unit again reaches nobody new.
    second = assignment_create(municipality=kommune, actor=hr, target="unit",
                               org_unit=team, course=course)  # fmt: skip
    assert not second.people.exists()
    assert second.job.state == AssignmentJob.State.DONE and second.job.added == 0


def test_a_job_that_stopped_says_why_and_hr_can_start_it_again(
    client, kommune, settings, django_capture_on_commit_callbacks
):
    settings.ASSIGNMENT_BATCH_SIZE = 5
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    team = unit(kommune, "Team")
    people = people_in(kommune, team, 12)
    job = _start(kommune, hr, team, course_make())
    ids = list(job.user_ids)
    # Bad data in the middle: the third batch cannot be read as people.
    AssignmentJob.objects.filter(pk=job.pk).update(user_ids=ids[:10] + ["x", "y"])
    job = assignment_job_run(job_id=job.pk)
    assert job.state == AssignmentJob.State.FAILED and job.done == 10
    assert "ValueError" in job.error
    assert AssignmentPerson.objects.filter(assignment=job.assignment).count() == 10

    client.force_login(hr)
    page = client.get(reverse("hr:assignment_progress", args=[job.assignment_id]))
    text = page.content.decode()
    assert "stoppet etter 10 av 12 personer" in text and "ValueError" in text
    assert "Prøv igjen" in text

    AssignmentJob.objects.filter(pk=job.pk).update(user_ids=ids)  # the data is put right
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hr:assignment_job_retry", args=[job.assignment_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == AssignmentJob.State.DONE and job.done == 12 and job.batches == 3
    assert set(
        AssignmentPerson.objects.filter(assignment=job.assignment).values_list("user", flat=True)
    ) == {user.pk for user in people}


def test_hr_follows_the_progress_and_another_municipality_gets_404(
    client, kommune, annen, settings, django_capture_on_commit_callbacks
):
    settings.ASSIGNMENT_BATCH_SIZE = 10
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other_hr = person(annen, None, name="Olga HR", is_hr=True)
    totp_for(other_hr)
    team = unit(kommune, "Hjemmetjenesten")
    people_in(kommune, team, 25)
    course = course_make("Kurs i bakgrunnen")
    client.force_login(hr)
    form = {"item": f"c{course.pk}", "target": "unit", "org_unit": team.pk,
            "include_subunits": "on", "due_days": "30"}  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("hr:assignments"), form)
    assert response.status_code == 302, "the request answers before anyone is added"
    assignment_id = int(response["Location"].split("/")[-2])
    page = client.get(response["Location"]).content.decode()
    assert "Tildelingen til 25 personer er i gang" in page
    progress_url = reverse("hr:assignment_progress", args=[assignment_id])
    assert f'data-progress-url="{progress_url}"' in page and 'role="status"' in page
    assert "Venter på å starte: 25 personer" in client.get(progress_url).content.decode()

    for callback in callbacks:  # the commit's publish, as it would happen after the request
        callback()
    fragment = client.get(progress_url)
    assert fragment["Cache-Control"] == "no-store"
    assert 'data-job-state="done"' in fragment.content.decode()
    assert "Tildelt 25 personer" in fragment.content.decode()
    page = client.get(response["Location"]).content.decode()
    assert "data-progress-url" not in page and "Nr0024" in page

    client.force_login(other_hr)
    assert client.get(progress_url).status_code == 404
    assert client.get(response["Location"]).status_code == 404
    retry = client.post(reverse("hr:assignment_job_retry", args=[assignment_id]))
    assert retry.status_code == 404
