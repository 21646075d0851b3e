"""Item analysis for editors, computed in the background and stored per quiz."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from courses import item_analysis
from learners.models import QuizAttempt, QuizStatistics

CHUNK = 2000


def _attempt_rows(quiz_page_id: int):
    """Submitted attempts as plain dicts, streamed; the learner is only an opaque key for
    counting different people."""
    rows = (
        QuizAttempt.objects.filter(quiz_page_id=quiz_page_id, status=QuizAttempt.Status.SUBMITTED)
        .values_list("enrolment__user_id", "number", "score", "passed", "snapshot", "answers")
        .iterator(chunk_size=CHUNK)
    )
    for learner, number, score, passed, snapshot, answers in rows:
        yield {
            "learner": learner,
            "number": number,
            "score": score or 0,
            "passed": bool(passed),
            "snapshot": snapshot,
            "answers": answers,
        }


def quiz_statistics_compute(*, quiz_page_id: int) -> list[QuizStatistics]:
    """Analyse every submitted attempt of one quiz, for first attempts and for all."""
    now = timezone.now()
    stored = []
    for first_only in (True, False):
        data = item_analysis.analyse(_attempt_rows(quiz_page_id), first_only=first_only)
        with transaction.atomic():
            row, _created = QuizStatistics.objects.update_or_create(
                quiz_page_id=quiz_page_id,
                first_only=first_only,
                defaults={
                    "data": data,
                    "attempts_counted": data["attempts"],
                    "computed_at": now,
                },
            )
        stored.append(row)
    return stored


def quiz_statistics_refresh() -> int:
    """Recompute the quizzes with attempts submitted since their statistics were made."""
    latest = dict(
        QuizAttempt.objects.filter(status=QuizAttempt.Status.SUBMITTED)
        .values("quiz_page_id")
        .annotate(last=Max("submitted_at"))
        .values_list("quiz_page_id", "last")
    )
    computed = dict(
        QuizStatistics.objects.filter(first_only=False).values_list("quiz_page_id", "computed_at")
    )
    stale = [pid for pid, last in latest.items() if pid not in computed or last > computed[pid]]
    for quiz_page_id in stale:
        quiz_statistics_compute(quiz_page_id=quiz_page_id)
    return len(stale)
