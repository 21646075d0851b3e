"""Quiz attempts: start with the drawn questions stored as a snapshot with their order, submit
and grade exactly once."""

import secrets
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from courses import grading, translations
from courses.models import CoursePage, ModulePage
from courses.quiz import snapshot_in_language
from learners.models import AuditAction, Enrolment, QuizAttempt
from learners.services.audit import audit_log_write
from learners.services.learning import (
    LearningError,
    enrolment_complete_if_done,
    module_mark_done,
)
from learners.services.xapi import xapi_quiz_submitted


def quiz_page_for(*, enrolment: Enrolment, page_id: int) -> CoursePage | ModulePage:
    """The course's final quiz or one of its module quizzes, in any language version;
    anything else is not found."""
    page = Page.objects.filter(pk=page_id).live().specific().first()
    source = translations.canonical(page) if page is not None else None
    in_course = source is not None and (
        source.pk == enrolment.course_id
        or (isinstance(source, ModulePage) and source.get_parent().pk == enrolment.course_id)
    )
    if not in_course or not page.has_quiz:
        raise LearningError("not_found")
    return page


def quiz_permission(*, enrolment: Enrolment, quiz_page) -> grading.AttemptPermission:
    """Whether another attempt may start now, from the submitted attempts so far."""
    submitted = list(
        enrolment.attempts.filter(quiz_page_id=quiz_page.pk, status=QuizAttempt.Status.SUBMITTED)
        .order_by("number")
        .values("passed", "submitted_at")
    )
    return grading.attempt_permission(
        attempts_used=len(submitted),
        max_attempts=quiz_page.max_attempts,
        last_submitted_at=submitted[-1]["submitted_at"] if submitted else None,
        wait_minutes=quiz_page.wait_minutes,
        already_passed=any(row["passed"] for row in submitted),
        now=timezone.now(),
    )


def right_answers_visible(*, enrolment: Enrolment, quiz_page) -> bool:
    """Whether this learner's reviews of this quiz may show the right answers now."""
    submitted = enrolment.attempts.filter(
        quiz_page_id=quiz_page.pk, status=QuizAttempt.Status.SUBMITTED
    )
    return grading.right_answers_visible(
        quiz_page.show_answers,
        passed=submitted.filter(passed=True).exists(),
        attempts_used=submitted.count(),
        max_attempts=quiz_page.max_attempts,
    )


def quiz_attempt_start(*, enrolment: Enrolment, quiz_page, shown=None) -> QuizAttempt:
    """Return the open attempt, or start a new one with its own draw from the quiz's pools
    and a fresh shuffled order. `quiz_page` is the source-language quiz the attempt belongs to
    and is graded on; `shown`, a translation of it, gives the texts the learner reads."""
    open_attempt = enrolment.attempts.filter(
        quiz_page_id=quiz_page.pk, status=QuizAttempt.Status.STARTED
    ).first()
    if open_attempt:
        return open_attempt
    permission = quiz_permission(enrolment=enrolment, quiz_page=quiz_page)
    if not permission.allowed:
        raise LearningError(permission.reason, available_at=permission.available_at)
    asked_before = Counter(
        question["id"]
        for snapshot in enrolment.attempts.filter(quiz_page_id=quiz_page.pk).values_list(
            "snapshot", flat=True
        )
        for question in snapshot
    )
    seed = secrets.randbits(32)
    snapshot = grading.draw_questions(quiz_page.quiz_groups(), asked_before=asked_before, seed=seed)
    if shown is not None and shown.pk != quiz_page.pk:
        snapshot = snapshot_in_language(snapshot, shown.quiz_snapshot())
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz_page_id=quiz_page.pk,
                number=enrolment.attempts.filter(quiz_page_id=quiz_page.pk).count() + 1,
                snapshot=snapshot,
                order=grading.shuffled_order(snapshot, seed=seed),
                pass_mark=quiz_page.pass_mark,
            )
    except IntegrityError:
        # Another tab started one at the same moment: use that one.
        return enrolment.attempts.get(quiz_page_id=quiz_page.pk, status=QuizAttempt.Status.STARTED)


@transaction.atomic
def quiz_attempt_submit(
    *, enrolment: Enrolment, attempt_id: int, answers: dict[str, list[str]]
) -> QuizAttempt:
    """Grade an attempt exactly once. A repeated submission returns the first result."""
    attempt = QuizAttempt.objects.select_for_update().get(pk=attempt_id, enrolment=enrolment)
    if attempt.status == QuizAttempt.Status.SUBMITTED:
        return attempt
    missing = grading.missing_answers(attempt.snapshot, answers)
    if missing:
        raise LearningError("incomplete", missing=missing)
    result = grading.grade(attempt.snapshot, answers, attempt.pass_mark)
    attempt.answers = {q["id"]: list(answers[q["id"]]) for q in attempt.snapshot}
    attempt.score, attempt.passed = result.score, result.passed
    attempt.status, attempt.submitted_at = QuizAttempt.Status.SUBMITTED, timezone.now()
    attempt.save(update_fields=["answers", "score", "passed", "status", "submitted_at"])
    audit_log_write(
        action=AuditAction.QUIZ_ATTEMPT_SUBMIT,
        actor=enrolment.user,
        municipality=enrolment.municipality,
        target=attempt,
        data={"score": result.score, "passed": result.passed},
    )
    xapi_quiz_submitted(
        enrolment=enrolment,
        attempt=attempt,
        correct={question.question_id: question.correct for question in result.questions},
    )
    if result.passed:
        _after_pass(enrolment=enrolment, attempt=attempt)
    return attempt


def _after_pass(*, enrolment: Enrolment, attempt: QuizAttempt) -> None:
    module = ModulePage.objects.filter(pk=attempt.quiz_page_id).first()
    if module is not None and grading.module_is_done_by_quiz(
        completion=module.completion, quiz_passed=True
    ):
        module_mark_done(enrolment=enrolment, module=module)
    enrolment_complete_if_done(enrolment_id=enrolment.pk)
