"""Quiz attempts: start with the drawn questions stored as a snapshot with their order, submit
and grade exactly once."""

import secrets
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import grading
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


def quiz_page_for(*, page_id: int) -> CoursePage | ModulePage | None:
    """A published course (its final quiz) or module with a quiz, in any language version,
    with its locale: one query for a module, two for a course."""
    for model in (ModulePage, CoursePage):
        page = model.objects.live().select_related("locale").filter(pk=page_id).first()
        if page is not None:
            return page if page.has_quiz else None
    return None


def quiz_permission(
    *, enrolment: Enrolment, quiz_page, attempts: list[QuizAttempt] | None = None
) -> grading.AttemptPermission:
    """Whether another attempt may start now, from the submitted attempts so far
    (`attempts`: this learner's attempts at this quiz, when the caller has read them)."""
    if attempts is None:
        attempts = list(enrolment.attempts.filter(quiz_page_id=quiz_page.pk))
    submitted = sorted(
        (a for a in attempts if a.status == QuizAttempt.Status.SUBMITTED), key=lambda a: a.number
    )
    return grading.attempt_permission(
        attempts_used=len(submitted),
        max_attempts=quiz_page.max_attempts,
        last_submitted_at=submitted[-1].submitted_at if submitted else None,
        wait_minutes=quiz_page.wait_minutes,
        already_passed=any(a.passed for a in submitted),
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


def quiz_attempt_start(
    *, enrolment: Enrolment, quiz_page, shown=None, attempts: list[QuizAttempt] | None = None
) -> QuizAttempt:
    """Return the open attempt, or start a new one with its own draw from the quiz's pools
    and a fresh shuffled order. `quiz_page` is the source-language quiz the attempt belongs to
    and is graded on; `shown`, a translation of it, gives the texts the learner reads.
    `attempts`: the learner's attempts at this quiz, when the caller has read them.

    Two queries (the learner's attempts, the insert). Nothing is locked: every learner's
    start touches only their own rows, so thousands starting at once never wait for each
    other; two tabs of one learner meet at the unique "one open attempt" constraint."""
    if attempts is None:
        attempts = list(enrolment.attempts.filter(quiz_page_id=quiz_page.pk))
    open_attempt = next((a for a in attempts if a.status == QuizAttempt.Status.STARTED), None)
    if open_attempt:
        return open_attempt
    permission = quiz_permission(enrolment=enrolment, quiz_page=quiz_page, attempts=attempts)
    if not permission.allowed:
        raise LearningError(permission.reason, available_at=permission.available_at)
    asked_before = Counter(question["id"] for attempt in attempts for question in attempt.snapshot)
    seed = secrets.randbits(32)
    snapshot = grading.draw_questions(quiz_page.quiz_groups(), asked_before=asked_before, seed=seed)
    if shown is not None and shown.pk != quiz_page.pk:
        snapshot = snapshot_in_language(snapshot, shown.quiz_snapshot())
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz_page_id=quiz_page.pk,
                number=max((a.number for a in attempts), default=0) + 1,
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
