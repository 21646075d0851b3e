"""Pure rules for quizzes and completion: no database, no Django. Tested on their own."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    correct: bool
    selected: tuple[str, ...]


@dataclass(frozen=True)
class GradeResult:
    score: int  # percent, rounded down
    passed: bool
    correct_count: int
    total: int
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)


def _correct_ids(question: dict) -> list[str]:
    return [choice["id"] for choice in question["choices"] if choice["correct"]]


def question_is_correct(question: dict, selected: list[str]) -> bool:
    """All-or-nothing: the exact set of right answers, or the exact order for ordering."""
    if question["kind"] == "ordering":
        return list(selected) == [choice["id"] for choice in question["choices"]]
    return set(selected) == set(_correct_ids(question)) and len(selected) == len(set(selected))


def answer_is_complete(question: dict, chosen: list[str]) -> bool:
    """A valid, complete answer: known choices, one for single, all of them for ordering."""
    valid = {choice["id"] for choice in question["choices"]}
    if not chosen or not set(chosen) <= valid:
        return False
    if question["kind"] in {"single", "true_false"}:
        return len(chosen) == 1
    if question["kind"] == "ordering":
        return sorted(chosen) == sorted(valid)
    return True


def missing_answers(questions: list[dict], answers: dict[str, list[str]]) -> list[str]:
    """Ids of questions without a complete, valid answer, in question order."""
    return [q["id"] for q in questions if not answer_is_complete(q, answers.get(q["id"]) or [])]


def grade(questions: list[dict], answers: dict[str, list[str]], pass_mark: int) -> GradeResult:
    """Grade answers against the snapshot; an empty quiz passes with full score."""
    results = tuple(
        QuestionResult(
            question_id=q["id"],
            correct=question_is_correct(q, answers.get(q["id"]) or []),
            selected=tuple(answers.get(q["id"]) or ()),
        )
        for q in questions
    )
    total = len(results)
    correct = sum(1 for result in results if result.correct)
    score = 100 if total == 0 else math.floor(correct * 100 / total)
    return GradeResult(
        score=score,
        passed=score >= pass_mark,
        correct_count=correct,
        total=total,
        questions=results,
    )


def draw_questions(groups: list[dict], *, asked_before: dict[str, int], seed: int) -> list[dict]:
    """The questions of one attempt: every single question, and `draw` from each pool,
    preferring those asked least often in this learner's earlier attempts (random among
    equals), so a retry meets new questions while the pool has any."""
    rng = random.Random(seed)  # noqa: S311 - drawing questions, not security
    drawn = []
    for group in groups:
        ranked = sorted(
            group["questions"], key=lambda q: (asked_before.get(q["id"], 0), rng.random())
        )
        drawn.extend(ranked[: group["draw"]])
    return drawn


def shuffled_order(questions: list[dict], seed: int) -> dict:
    """Question order and per-question choice order for one attempt, reproducible from seed.
    An ordering question is never shown already in the right order when it can be avoided."""
    rng = random.Random(seed)  # noqa: S311 - shuffling, not security
    question_ids = [q["id"] for q in questions]
    rng.shuffle(question_ids)
    choices: dict[str, list[str]] = {}
    for question in questions:
        ids = [choice["id"] for choice in question["choices"]]
        shuffled = ids[:]
        for _ in range(10):
            rng.shuffle(shuffled)
            if question["kind"] != "ordering" or shuffled != ids or len(set(ids)) < 2:
                break
        choices[question["id"]] = shuffled
    return {"questions": question_ids, "choices": choices}


REVEAL_AFTER_SUCCESS_OR_END = "pass_or_last"
REVEAL_AFTER_SUCCESS = "pass"
REVEAL_AT_END = "last"
REVEAL_NEVER = "never"


def right_answers_visible(
    policy: str, *, passed: bool, attempts_used: int, max_attempts: int
) -> bool:
    """May the learner see the right answers in a review? `passed` is whether any attempt so
    far passed; no attempt is left when the limit (0 = none) is used up. Until then a review
    shows only which questions were wrong and the editor's feedback, so a retry tests
    something."""
    none_left = bool(max_attempts) and attempts_used >= max_attempts
    if policy == REVEAL_AFTER_SUCCESS:
        return passed
    if policy == REVEAL_AT_END:
        return none_left
    if policy == REVEAL_NEVER:
        return False
    return passed or none_left


@dataclass(frozen=True)
class AttemptPermission:
    allowed: bool
    reason: str = ""  # "", "passed", "no_attempts_left", "wait"
    available_at: datetime | None = None


def attempt_permission(
    *,
    attempts_used: int,
    max_attempts: int,
    last_submitted_at: datetime | None,
    wait_minutes: int,
    already_passed: bool,
    now: datetime,
) -> AttemptPermission:
    """May the learner start another attempt now? max_attempts 0 means no limit."""
    if already_passed:
        return AttemptPermission(False, "passed")
    if max_attempts and attempts_used >= max_attempts:
        return AttemptPermission(False, "no_attempts_left")
    if last_submitted_at and wait_minutes:
        available = last_submitted_at + timedelta(minutes=wait_minutes)
        if now < available:
            return AttemptPermission(False, "wait", available)
    return AttemptPermission(True)


def course_is_complete(
    *,
    required_module_ids: set[int],
    done_module_ids: set[int],
    has_final_quiz: bool,
    final_quiz_passed: bool,
) -> bool:
    """Complete when every required module is done and the final quiz (if any) is passed."""
    if has_final_quiz and not final_quiz_passed:
        return False
    return required_module_ids <= done_module_ids


def module_is_done_by_quiz(*, completion: str, quiz_passed: bool) -> bool:
    """A module with the quiz rule is done as soon as its quiz is passed."""
    return completion == "quiz" and quiz_passed
