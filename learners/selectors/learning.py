"""Reads for the learner's own pages. Each function uses a fixed number of queries, however
many enrolments, modules or attempts the learner has."""

import json

from django.db.models import Count, Exists, F, Field, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses import translations
from courses.models import CoursePage, ModulePage
from learners.lib.prepared import Prepared
from learners.models import (
    ActionPlan,
    AssignmentPerson,
    Certificate,
    Enrolment,
    ModuleProgress,
    QuizAttempt,
    ReflectionAnswer,
    ScormAttempt,
    User,
)

UNREAD = object()  # "the caller has not read the enrolment": read it here


def enrolment_for(*, user: User, course_id: int, is_source: bool = False) -> Enrolment | None:
    """The user's own enrolment in a course, if any (never another learner's). `is_source`:
    the caller knows `course_id` is the source-language course (saves a query)."""
    if not user.is_authenticated:
        return None
    # Any language version of the course finds the one enrolment (on the source page).
    if not is_source:
        course_id = translations.canonical_id(course_id)
    return Enrolment.objects.filter(user=user, course_id=course_id).first()


def _module_rows(
    modules: list[ModulePage],
    ids: dict[int, int],
    done_ids: set[int],
    current_id: int | None,
    *,
    enrolled: bool,
):
    """`ids` maps each shown module to its source-language id, which progress is kept on.
    Only an enrolled learner is somewhere in the course; a visitor is nowhere yet."""
    first_open = (
        next((ids[m.pk] for m in modules if ids[m.pk] not in done_ids), None) if enrolled else None
    )
    current = current_id if enrolled and current_id in set(ids.values()) else first_open
    rows = []
    for module in modules:
        key = ids[module.pk]
        status = "done" if key in done_ids else ("current" if key == current else "not_started")
        rows.append({"page": module, "status": status})
    return rows


def _progress(modules: list[ModulePage], ids: dict[int, int], done_ids: set[int]) -> dict:
    required = [m for m in modules if m.required] or modules
    done = sum(1 for m in required if ids[m.pk] in done_ids)
    total = len(required)
    return {"done": done, "total": total, "percent": round(done * 100 / total) if total else 0}


class _IdList(Subquery):
    """A one-column subquery's values as one value: PostgreSQL's ARRAY(...) (a list), or
    SQLite's json_group_array (JSON text); `_id_list` reads either."""

    template = "ARRAY(%(subquery)s)"
    output_field = Field()  # no conversion: `_id_list` reads what either database gives

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(ids.value) FROM (%(subquery)s) AS ids)",
            **extra_context,
        )


def _id_list(value) -> list[int]:
    if isinstance(value, str):
        value = json.loads(value)
    return [int(v) for v in value or []]


def _learner_enrolment_query(user_id: int, course_id: int, module_id: int):
    submitted = QuizAttempt.objects.filter(
        enrolment=OuterRef("pk"), status=QuizAttempt.Status.SUBMITTED
    ).order_by()
    final = submitted.filter(quiz_page_id=course_id)
    counted = final.values("enrolment").annotate(n=Count("id")).values("n")
    passed = QuizAttempt.objects.filter(enrolment=OuterRef("pk"), passed=True)
    return (
        Enrolment.objects.filter(user_id=user_id, course_id=course_id)
        .annotate(
            final_attempts=Coalesce(Subquery(counted), 0),
            final_passed=Exists(final.filter(passed=True)),
            module_quiz_passed=Exists(passed.filter(quiz_page_id=module_id)),
            action_plan_id=Subquery(
                ActionPlan.objects.filter(enrolment=OuterRef("pk")).order_by().values("pk")[:1]
            ),
            done_module_ids=_IdList(
                ModuleProgress.objects.filter(enrolment=OuterRef("pk"))
                .order_by()
                .values(value=F("module_id"))
            ),
        )
        .order_by("pk")[:1]
    )


# Read on every module and course page: built once per process (learners.lib.prepared).
_learner_enrolment_prepared = Prepared(_learner_enrolment_query, int, int, int)
_module_reflections = Prepared(
    lambda enrolment_id, module_id: ReflectionAnswer.objects.filter(
        enrolment_id=enrolment_id, module_id=module_id
    ).order_by("pk"),
    int,
    int,
)


def _learner_enrolment(*, user: User, course_id: int, module_id: int | None = None):
    """The user's enrolment in the (source-language) course with the final quiz's submitted
    attempts and passes, the modules done, the id of their action plan, if any, and, for a
    module page, whether its quiz is passed: one query."""
    if not user.is_authenticated:
        return None
    rows = _learner_enrolment_prepared.rows(user.pk, course_id, module_id or 0)
    if not rows:
        return None
    enrolment = rows[0]
    enrolment.done_module_ids = set(_id_list(enrolment.done_module_ids))
    return enrolment


def module_enrolment(*, user: User, module: ModulePage) -> Enrolment | None:
    """The user's own enrolment in the course of a module page (any language version), with
    the quiz state the page shows. One query (with the course outline, if not yet read)."""
    outline = module.course.outline
    return _learner_enrolment(
        user=user, course_id=outline.source.pk, module_id=outline.source_ids.get(module.pk)
    )


def course_state(*, user: User, course: CoursePage, enrolment=UNREAD) -> dict:
    """Modules with done / current / not started, progress and where to resume. `course` may
    be any language version; the learner's records are those of the course. Three queries
    for an enrolled learner (outline, enrolment, progress); `enrolment`, when the caller has
    read it with `module_enrolment`, saves one."""
    outline = course.outline
    modules, ids = outline.modules, outline.source_ids
    if enrolment is UNREAD:
        enrolment = _learner_enrolment(user=user, course_id=outline.source.pk)
    done_ids: set[int] = set()
    final = {"passed": False, "attempts": 0}
    if enrolment:
        read = getattr(enrolment, "done_module_ids", None)  # read with the enrolment
        done_ids = (
            read
            if read is not None
            else set(enrolment.progress.values_list("module_id", flat=True))
        )
        final = {"passed": enrolment.final_passed, "attempts": enrolment.final_attempts}
    rows = _module_rows(
        modules,
        ids,
        done_ids,
        enrolment.last_module_id if enrolment else None,
        enrolled=enrolment is not None and enrolment.status != Enrolment.Status.LEFT,
    )
    resume = next((row["page"] for row in rows if row["status"] == "current"), None)
    return {
        "course": course,
        "enrolment": enrolment,
        "modules": rows,
        "progress": _progress(modules, ids, done_ids),
        "resume": resume or (modules[0] if modules else None),
        "final": final,
    }


def module_state(*, user: User, module: ModulePage, enrolment=UNREAD) -> dict:
    """Everything a module page shows: the course's state, position, prev/next, the
    language versions, the learner's reflections on this module and the module quiz status.
    Four queries for an enrolled learner whatever the course's size; the page tree it reads
    comes with the page from routing."""
    course = module.course
    if enrolment is UNREAD:
        enrolment = module_enrolment(user=user, module=module)
    state = course_state(user=user, course=course, enrolment=enrolment)
    modules = [row["page"] for row in state["modules"]]
    ids = [m.pk for m in modules]
    index = ids.index(module.pk) if module.pk in ids else 0
    reflections, quiz_passed, scorm_attempt = {}, False, None
    if enrolment:
        if module.reflection_prompts():
            source_id = course.outline.source_ids.get(module.pk) or translations.canonical_id(
                module.pk
            )
            reflections = {r.block_id: r for r in _module_reflections.rows(enrolment.pk, source_id)}
        quiz_passed = enrolment.module_quiz_passed
        if module.scorm_package_id:
            source_id = course.outline.source_ids.get(module.pk) or translations.canonical_id(
                module.pk
            )
            scorm_attempt = (
                ScormAttempt.objects.filter(enrolment=enrolment, module_id=source_id)
                .order_by("-number")
                .first()
            )
    done_ids = {row["page"].pk for row in state["modules"] if row["status"] == "done"}
    languages = course.outline.languages(module)
    return {
        **state,
        "position": index + 1,
        "total": len(modules),
        "previous": modules[index - 1] if index > 0 else None,
        "next": modules[index + 1] if index + 1 < len(modules) else None,
        "is_done": module.pk in done_ids,
        "languages": languages,
        "reflections": reflections,
        "quiz_passed": quiz_passed,
        "scorm_attempt": scorm_attempt,
    }


def my_learning(*, user: User) -> dict:
    """«Min læring»: assignments with due dates, courses in progress and completed, and
    certificates. Six queries whatever the numbers."""
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.LEFT)
        .select_related("course", "last_module")
        .annotate(done_count=Count("progress", filter=Q(progress__module__live=True)))
        .order_by("-created_at")
    )
    totals = _required_module_counts([e.course for e in enrolments])
    for enrolment in enrolments:
        total = totals.get(enrolment.course.path, 0)
        percent = round(min(enrolment.done_count, total) * 100 / total) if total else 0
        enrolment.total_count = total  # type: ignore[attr-defined]  # for the template
        enrolment.percent = percent  # type: ignore[attr-defined]
        # Every required module done but the course not completed: the final quiz is left.
        enrolment.final_quiz_left = (  # type: ignore[attr-defined]
            enrolment.done_count >= total and enrolment.course.has_quiz
        )
    today = timezone.localdate()
    assigned = list(
        AssignmentPerson.objects.filter(user=user, assignment__ended_at__isnull=True)
        .select_related("assignment__learning_path", "assignment__course")
        .order_by("due_date")
    )
    for row in assigned:
        row.overdue = bool(row.due_date and row.due_date < today)  # type: ignore[attr-defined]
    certificates = list(Certificate.objects.filter(user=user).order_by("-issued_at"))
    # Links and titles in the learner's language where the course has a translation.
    pages: list = [e.course for e in enrolments]
    pages += [e.last_module for e in enrolments if e.last_module]
    shown = translations.in_language_many(pages)
    for enrolment in enrolments:
        last = enrolment.last_module
        enrolment.shown_course = shown[enrolment.course.pk]  # type: ignore[attr-defined]
        enrolment.shown_module = shown[last.pk] if last else None  # type: ignore[attr-defined]
    return {
        "assigned": assigned,
        "in_progress": [e for e in enrolments if e.status == Enrolment.Status.ACTIVE],
        "completed": [e for e in enrolments if e.status == Enrolment.Status.COMPLETED],
        "certificates": certificates,
        "today": today,
    }


def _required_module_counts(courses: list[CoursePage]) -> dict[str, int]:
    """Course path -> number of live required modules, in one query for all courses."""
    if not courses:
        return {}
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    counts: dict[str, int] = {}
    steplen = CoursePage.steplen
    for path in (
        ModulePage.objects.live().filter(condition, required=True).values_list("path", flat=True)
    ):
        counts[path[:-steplen]] = counts.get(path[:-steplen], 0) + 1
    return counts


def attempt_for(*, user: User, attempt_id: int) -> QuizAttempt | None:
    """One of the user's own attempts, never another learner's."""
    return (
        QuizAttempt.objects.filter(pk=attempt_id, enrolment__user=user)
        .select_related("enrolment")
        .first()
    )
