"""Reads of the stored item analysis."""

from learners.models import QuizStatistics


def quiz_statistics_for(*, quiz_page_id: int, first_only: bool) -> QuizStatistics | None:
    return QuizStatistics.objects.filter(quiz_page_id=quiz_page_id, first_only=first_only).first()
