"""The parts of the benchmark that need Django itself; bench/run.py runs each as a subprocess
with DJANGO_SETTINGS_MODULE=config.settings.bench and reads one JSON object from stdout.

    setup N          sessions, URLs and N prepared quiz attempts (with their POST bodies), and
                     the item analysis of the busiest quiz computed as the hourly task would
    sql              the raw SQL baselines for the Oslo reports, timed over psycopg
    export-mem KEY   the full Oslo XLSX export in this process: ru_maxrss before and after
    certificates N   issue, sign and render N certificates with the Celery worker
    scim-token NUM   a fresh SCIM token for municipality NUM (rotates any earlier one)
    assign N         assign a new learning path to an Oslo unit of about N people: the request's
                     part (assignment_start without the broker hop) and the background job's
                     batches, timed and counted; rolled back, so every run starts the same
    quiz-stats       the item analysis of the busiest quiz computed, and an editor's session
    hr-sessions NUM… a session of each municipality's generated HR adviser (TOTP set up) and
                     its number of people
    exam-setup NUM N...  fresh learners for `make bench-exam` in municipality NUM, N per step
"""

import json
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from courses.models import CatalogPage, CoursePage, ModulePage  # noqa: E402
from learners.models import (  # noqa: E402
    Certificate,
    Enrolment,
    Membership,
    Municipality,
    OrgUnit,
    QuizAttempt,
    User,
)
from learners.services.scale_data import EMAIL_DOMAIN  # noqa: E402

OSLO = "0301"


def out(data) -> None:
    sys.stdout.write(json.dumps(data, default=str) + "\n")


def session_for(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def hr_session(number: str) -> str:
    user = User.objects.get(email=f"hr-{number}@{EMAIL_DOMAIN}")
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    return session_for(user)


def quiz_body(attempt: QuizAttempt, csrf: str) -> str:
    """The form a learner would submit, with the right answers (so a pass does the most)."""
    from urllib.parse import urlencode

    fields = [("csrfmiddlewaretoken", csrf), ("attempt", str(attempt.pk))]
    for question in attempt.snapshot:
        qid, kind = question["id"], question["kind"]
        if kind == "ordering":
            for position, choice in enumerate(question["choices"], start=1):
                fields.append((f"o__{qid}__{choice['id']}", str(position)))
        else:
            fields += [(f"q-{qid}", c["id"]) for c in question["choices"] if c["correct"]]
    return urlencode(fields)


def setup(count: int) -> None:
    from learners.services.quiz import quiz_attempt_start

    oslo = Municipality.objects.get(number=OSLO)
    small = (
        Municipality.objects.exclude(number=OSLO)
        .annotate(n=Count("memberships"))
        .filter(n__gte=10)
        .order_by("n", "number")
        .first()
    )
    catalog = CatalogPage.objects.live().first()
    # The Oslo learner with the most enrolments, and a learner with exactly one.
    many = (
        Enrolment.objects.filter(municipality=oslo)
        .values("user_id")
        .annotate(n=Count("id"))
        .order_by("-n", "user_id")
        .first()
    )
    many_user = User.objects.get(pk=many["user_id"])
    one = (
        Enrolment.objects.filter(municipality=small)
        .values("user_id")
        .annotate(n=Count("id"))
        .filter(n=1)
        .order_by("user_id")
        .first()
    )
    one_user = User.objects.get(pk=one["user_id"]) if one else many_user
    enrolment = (
        Enrolment.objects.filter(user=many_user, status="active").order_by("course_id").first()
        or Enrolment.objects.filter(user=many_user).order_by("course_id").first()
    )
    course = CoursePage.objects.get(pk=enrolment.course_id)
    module = ModulePage.objects.child_of(course).live().order_by("path").last()
    # Quiz submissions: N learners in Oslo who have not tried this quiz yet, one open attempt
    # each (started by the service, as the GET of the quiz page would).
    quiz_module = ModulePage.objects.live().filter(completion="quiz").order_by("path").first()
    quiz_course = quiz_module.get_parent()
    untried = list(
        Enrolment.objects.filter(municipality=oslo, course_id=quiz_course.pk, status="active")
        .exclude(attempts__quiz_page_id=quiz_module.pk)
        .select_related("user", "municipality")
        .order_by("pk")[: 2 * count]
    )
    candidates = untried[:count]
    # Quiz starts: as many other learners who have not tried it, each opening the quiz once
    # (a real start: the draw, the snapshot and the insert, never the open attempt again).
    starters = [session_for(item.user) for item in untried[count:]]
    stats = quiz_statistics_fixture()
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    quiz = []
    for item in candidates:
        attempt = quiz_attempt_start(enrolment=item, quiz_page=quiz_module)
        quiz.append({"session": session_for(item.user), "body": quiz_body(attempt, csrf)})
    # A small team in Oslo (the smallest unit with ten or more people directly in it): its
    # dashboard must cost in proportion to the team, not to Oslo.
    team = (
        Membership.objects.filter(municipality=oslo, org_unit__isnull=False)
        .values("org_unit_id")
        .annotate(n=Count("id"))
        .filter(n__gte=10)
        .order_by("n", "org_unit_id")
        .first()
    )
    out(
        {
            "csrf": csrf,
            "oslo_units": OrgUnit.objects.filter(municipality=oslo).count(),
            "team_unit_url": f"/hr/enhet/{team['org_unit_id']}/",
            "team_people": team["n"],
            "oslo_people": Membership.objects.filter(municipality=oslo).count(),
            "small_municipality": f"{small.number} {small.name}",
            "small_people": Membership.objects.filter(municipality=small).count(),
            "learner_many": session_for(many_user),
            "learner_many_enrolments": many["n"],
            "learner_one": session_for(one_user),
            "hr_oslo": hr_session(OSLO),
            "hr_small": hr_session(small.number),
            "catalog_url": catalog.url,
            "course_url": course.url,
            "module_url": module.url,
            "quiz_url": f"/laering/quiz/{quiz_module.pk}/",
            "quiz": quiz,
            "quiz_start": starters,
            **stats,
        }
    )


def quiz_statistics_fixture() -> dict:
    """The busiest quiz (most submitted attempts): its statistics computed once, timed, as
    the hourly background task does, and an editor's session for the admin page."""
    from django.contrib.auth.models import Group

    from learners.services.quiz_stats import quiz_statistics_compute

    busiest = (
        QuizAttempt.objects.filter(status=QuizAttempt.Status.SUBMITTED)
        .values("quiz_page_id")
        .annotate(n=Count("id"))
        .order_by("-n", "quiz_page_id")
        .first()
    )
    started = time.perf_counter()
    quiz_statistics_compute(quiz_page_id=busiest["quiz_page_id"])
    seconds = round(time.perf_counter() - started, 1)
    editor, _created = User.objects.get_or_create(
        email=f"bench-editor@{EMAIL_DOMAIN}",
        defaults={"first_name": "Bench", "last_name": "Editor", "is_staff": True},
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    if not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=editor, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    return {
        "editor": session_for(editor),
        "quiz_stats_url": f"/admin/quiz-statistikk/{busiest['quiz_page_id']}/?forsok=alle",
        "quiz_stats_attempts": busiest["n"],
        "quiz_stats_compute_seconds": seconds,
    }


def _timed(sql: str, params, runs: int = 5) -> dict:
    """Median and best of `runs` executions over the raw psycopg connection (rows fetched)."""
    connection.ensure_connection()
    raw = connection.connection
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            rows = len(cursor.fetchall())
        times.append(time.perf_counter() - started)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "best_ms": round(min(times) * 1000, 1),
        "rows": rows,
    }


RAW_GROUP_BY = """
SELECT a.learning_path_id, a.course_id, substr(coalesce(ou.path, ''), 1, 4) AS prefix,
  CASE
    WHEN ap.completed_at IS NOT NULL AND ap.expires_on <= %(soon)s THEN 'expiring_soon'
    WHEN ap.completed_at IS NOT NULL THEN 'completed'
    WHEN ap.due_date < %(today)s THEN 'overdue'
    WHEN EXISTS (
      SELECT 1 FROM learners_enrolment e
      WHERE e.user_id = ap.user_id
        AND (e.course_id = a.course_id OR e.course_id IN (
              SELECT lpc.course_id FROM courses_learningpathcourse lpc
              WHERE lpc.path_id = a.learning_path_id))
        AND (e.completed_at IS NOT NULL
             OR EXISTS (SELECT 1 FROM learners_moduleprogress mp WHERE mp.enrolment_id = e.id))
    ) THEN 'in_progress'
    ELSE 'not_started'
  END AS status,
  count(*)
FROM learners_assignmentperson ap
JOIN learners_assignment a ON a.id = ap.assignment_id
LEFT JOIN learners_membership m ON m.user_id = ap.user_id AND m.municipality_id = a.municipality_id
LEFT JOIN learners_orgunit ou ON ou.id = m.org_unit_id
WHERE a.municipality_id = %(municipality)s AND a.ended_at IS NULL
GROUP BY 1, 2, 3, 4
"""


def sql() -> None:
    import datetime as dt

    from django.utils import timezone

    from learners.permissions import HRScope
    from learners.selectors import reports

    oslo = Municipality.objects.get(number=OSLO)
    today = timezone.localdate()
    params = {
        "today": today,
        "soon": today + dt.timedelta(days=reports.EXPIRING_SOON_DAYS),
        "municipality": oslo.pk,
    }
    scope = HRScope(municipality=oslo, can_edit=True)
    filters = reports.Filters()
    grouped = (
        reports.assigned_rows(scope=scope, filters=filters, today=today)
        .annotate(prefix=reports.Substr("unit_path", 1, reports.STEP))
        .values("assignment__learning_path_id", "assignment__course_id", "prefix", "status")
        .annotate(n=reports.Count("id"))
        .order_by()
    )
    orm_sql, orm_params = grouped.query.sql_with_params()
    children = reports._child_units(scope=scope, base=None)
    rollup_sql, rollup_params = (
        reports.ProgressRollup.objects.filter(
            municipality_id=oslo.pk,
            unit_key__in=[reports.WHOLE_MUNICIPALITY, *(unit.pk for unit in children)],
            count__gt=0,
        )
        .values_list("unit_key", "item", "status", "count")
        .query.sql_with_params()
    )
    people_sql, people_params = reports.people(
        scope=scope, filters=filters, today=today
    ).query.sql_with_params()
    out(
        {
            "raw_group_by": _timed(RAW_GROUP_BY, params),
            "dashboard_orm_sql": _timed(orm_sql, orm_params),
            "dashboard_rollup_sql": _timed(rollup_sql, rollup_params),
            "export_orm_sql": _timed(people_sql, people_params, runs=3),
        }
    )


def export_mem(session_key: str) -> None:
    """The full XLSX export of Oslo, in this process, through the real view and middleware."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get("/hr/personer/")  # warm: imports, templates, connection
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/hr/personer/", {"format": "xlsx"})
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out(
        {
            "status": response.status_code,
            "bytes": size,
            "seconds": round(seconds, 2),
            "rss_before_mb": round(before / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1),
            "delta_mb": round((peak - before) / 1024, 1),
        }
    )


def certificates(count: int) -> None:
    """Queue certificate_issue_task for `count` completed enrolments without a certificate and
    wait until each has its certificate signed and its PDF rendered by the worker."""
    from learners.tasks import certificate_issue_task

    ids = list(
        Enrolment.objects.filter(status="completed", certificates__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    started = time.perf_counter()
    for pk in ids:
        certificate_issue_task.delay(pk)
    queued = time.perf_counter() - started
    deadline = started + 600
    done = issued = 0
    while time.perf_counter() < deadline:
        issued = Certificate.objects.filter(enrolment_id__in=ids).count()
        done = Certificate.objects.filter(enrolment_id__in=ids).exclude(pdf="").count()
        if done >= len(ids):
            break
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    sample = Certificate.objects.filter(enrolment_id__in=ids).exclude(pdf="").first()
    out(
        {
            "requested": len(ids),
            "issued": issued,
            "rendered": done,
            "seconds": round(seconds, 1),
            "per_second": round(done / seconds, 2) if seconds else None,
            "queue_seconds": round(queued, 1),
            "eager": eager,
            "signed": bool(sample and sample.credential.get("proof")),
            "pdf_bytes": sample.pdf.size if sample else 0,
        }
    )


def _unit_near(municipality: Municipality, people: int):
    """The Oslo unit whose subtree holds the number of members closest to `people`."""
    from learners.models import OrgUnit

    best, best_count = None, 0
    for unit in OrgUnit.objects.filter(municipality=municipality).order_by("depth", "path")[:400]:
        count = Membership.objects.filter(
            municipality=municipality, org_unit__path__startswith=unit.path
        ).count()
        if best is None or abs(count - people) < abs(best_count - people):
            best, best_count = unit, count
    return best, best_count


def assign(people: int) -> None:
    """Assign a fresh two-course learning path to the Oslo unit nearest `people` members,
    as HR's page does: the request (make it, resolve who it reaches, queue the job) and the
    job the worker runs (batches of ASSIGNMENT_BATCH_SIZE, each its own transaction)."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from courses.models import LearningPath, LearningPathCourse
    from learners.models import AssignmentJob, AssignmentPerson
    from learners.services import assignments

    oslo = Municipality.objects.get(number=OSLO)
    unit, members = _unit_near(oslo, people)
    hr = Membership.objects.filter(municipality=oslo, is_hr=True).select_related("user").first()
    # A new path of the two courses Oslo's people have taken least, as a path HR adds for a
    # new programme would be (people who have done both complete it at once, one by one).
    taken = dict(
        Enrolment.objects.filter(municipality=oslo)
        .values_list("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    live = CoursePage.objects.live().order_by("pk")
    courses = sorted(live, key=lambda course: (taken.get(course.pk, 0), course.pk))[:2]

    class Rollback(Exception):
        pass

    result: dict = {"unit_members": members, "batch_size": settings.ASSIGNMENT_BATCH_SIZE}
    try:
        with transaction.atomic():
            path = LearningPath.objects.create(slug=f"bench-{secrets.token_hex(4)}", title="Bench")
            for index, course in enumerate(courses):
                LearningPathCourse.objects.create(
                    path=path, course=course, required=True, sort_order=index
                )
            enrolled_before = Enrolment.objects.filter(
                course__in=courses, user__memberships__org_unit__path__startswith=unit.path
            ).count()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as request_queries:
                job = assignments.assignment_start(
                    municipality=oslo, actor=hr.user if hr else None, target="unit",
                    learning_path=path, org_unit=unit, include_subunits=True, due_days=60,
                )  # fmt: skip
            request_seconds = time.perf_counter() - started
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as job_queries:
                job = assignments.assignment_job_run(job_id=job.pk)
            job_seconds = time.perf_counter() - started
            assert job.state == AssignmentJob.State.DONE, job.error
            enrolled_after = Enrolment.objects.filter(
                course__in=courses, user__memberships__org_unit__path__startswith=unit.path
            ).count()
            result.update(
                people=job.total,
                added=job.added,
                assigned_rows=AssignmentPerson.objects.filter(assignment=job.assignment).count(),
                enrolments_created=enrolled_after - enrolled_before,
                enrolments_existing=enrolled_before,
                batches=job.batches,
                request_seconds=round(request_seconds, 2),
                request_queries=len(request_queries),
                job_seconds=round(job_seconds, 2),
                job_queries=len(job_queries),
                queries_per_batch=round(len(job_queries) / max(job.batches, 1), 1),
                seconds=round(request_seconds + job_seconds, 2),
                people_per_second=round(job.total / job_seconds, 1) if job_seconds else None,
            )
            raise Rollback
    except Rollback:
        pass
    out(result)


def scim_token(number: str) -> None:
    from learners.services.scim import scim_token_issue

    municipality = Municipality.objects.get(number=number)
    out({"token": scim_token_issue(municipality=municipality, actor=None)})


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(int(args[0]))
    elif command == "sql":
        sql()
    elif command == "export-mem":
        export_mem(args[0])
    elif command == "certificates":
        certificates(int(args[0]))
    elif command == "quiz-stats":
        out(quiz_statistics_fixture())
    elif command == "hr-sessions":
        out(
            {
                **{number: hr_session(number) for number in args},
                "people": {
                    number: Membership.objects.filter(municipality__number=number).count()
                    for number in args
                },
            }
        )
    elif command == "scim-token":
        scim_token(args[0])
    elif command == "assign":
        assign(int(args[0]))
    elif command == "exam-setup":
        from bench.exam_prep import exam_learners_prepare

        out(exam_learners_prepare([int(n) for n in args[1:]], municipality_number=args[0]))
    else:
        raise SystemExit(f"unknown command {command}")
