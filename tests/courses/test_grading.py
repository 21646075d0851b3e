"""The grading and completion rules are pure functions: no database here."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from courses import grading


def q(qid, kind, correct, n=3):
    return {
        "id": qid,
        "kind": kind,
        "text": qid,
        "explanation": "",
        "choices": [
            {"id": f"{qid}{i}", "text": str(i), "correct": i in correct, "feedback": ""}
            for i in range(n)
        ],
    }


SINGLE = q("s", "single", {1})
MULTI = q("m", "multiple", {0, 2})
ORDER = q("o", "ordering", set(), n=4)
TF = q("t", "true_false", {0}, n=2)


def test_single_choice_is_right_only_with_the_one_right_answer():
    assert grading.question_is_correct(SINGLE, ["s1"])
    assert not grading.question_is_correct(SINGLE, ["s0"])
    assert not grading.question_is_correct(SINGLE, ["s1", "s0"])


def test_multiple_choice_needs_exactly_the_right_set():
    assert grading.question_is_correct(MULTI, ["m2", "m0"])
    assert not grading.question_is_correct(MULTI, ["m0"])
    assert not grading.question_is_correct(MULTI, ["m0", "m1", "m2"])
    assert not grading.question_is_correct(MULTI, ["m0", "m0", "m2"])


def test_ordering_needs_the_authored_order():
    assert grading.question_is_correct(ORDER, ["o0", "o1", "o2", "o3"])
    assert not grading.question_is_correct(ORDER, ["o1", "o0", "o2", "o3"])


def test_score_is_a_rounded_down_percentage_and_pass_mark_is_inclusive():
    questions = [SINGLE, MULTI, TF]
    result = grading.grade(questions, {"s": ["s1"], "m": ["m0", "m2"], "t": ["t1"]}, 66)
    assert (result.score, result.correct_count, result.total, result.passed) == (66, 2, 3, True)
    assert not grading.grade(questions, {"s": ["s1"], "m": ["m0", "m2"]}, 67).passed


def test_missing_answers_lists_unanswered_and_invalid_in_order():
    answers = {"s": ["s1", "s2"], "m": ["m9"], "o": ["o0", "o1"], "t": ["t0"]}
    assert grading.missing_answers([SINGLE, MULTI, ORDER, TF], answers) == ["s", "m", "o"]
    full = {"s": ["s1"], "m": ["m1"], "o": ["o3", "o2", "o1", "o0"], "t": ["t1"]}
    assert grading.missing_answers([SINGLE, MULTI, ORDER, TF], full) == []


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_shuffle_is_reproducible_complete_and_never_gives_away_an_order(seed):
    questions = [SINGLE, MULTI, ORDER]
    order = grading.shuffled_order(questions, seed)
    assert order == grading.shuffled_order(questions, seed)
    assert sorted(order["questions"]) == ["m", "o", "s"]
    for question in questions:
        ids = [c["id"] for c in question["choices"]]
        assert sorted(order["choices"][question["id"]]) == sorted(ids)
    assert order["choices"]["o"] != ["o0", "o1", "o2", "o3"]


@given(
    st.lists(st.sampled_from(["s0", "s1", "s2"]), max_size=3),
    st.integers(min_value=1, max_value=100),
)
def test_grade_never_passes_a_wrong_single_answer(selected, pass_mark):
    result = grading.grade([SINGLE], {"s": selected}, pass_mark)
    assert result.passed == (selected == ["s1"])
    assert result.score in (0, 100)


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_attempts_are_limited_unless_max_is_zero():
    base = {"last_submitted_at": None, "wait_minutes": 0, "already_passed": False, "now": NOW}
    assert not grading.attempt_permission(attempts_used=3, max_attempts=3, **base).allowed
    assert grading.attempt_permission(attempts_used=2, max_attempts=3, **base).allowed
    assert grading.attempt_permission(attempts_used=99, max_attempts=0, **base).allowed


def test_waiting_time_between_attempts_says_when_the_next_one_opens():
    permission = grading.attempt_permission(
        attempts_used=1,
        max_attempts=0,
        last_submitted_at=NOW - timedelta(minutes=10),
        wait_minutes=30,
        already_passed=False,
        now=NOW,
    )
    assert (permission.allowed, permission.reason) == (False, "wait")
    assert permission.available_at == NOW + timedelta(minutes=20)


def test_a_passed_quiz_cannot_be_retaken():
    permission = grading.attempt_permission(
        attempts_used=1,
        max_attempts=0,
        last_submitted_at=NOW,
        wait_minutes=0,
        already_passed=True,
        now=NOW,
    )
    assert permission.reason == "passed"


@given(st.sets(st.integers(0, 9)), st.sets(st.integers(0, 9)), st.booleans(), st.booleans())
def test_course_is_complete_exactly_when_required_done_and_final_quiz_passed(
    required, done, has_quiz, passed
):
    complete = grading.course_is_complete(
        required_module_ids=required,
        done_module_ids=done,
        has_final_quiz=has_quiz,
        final_quiz_passed=passed,
    )
    assert complete == (required <= done and (passed or not has_quiz))


def test_right_answers_are_shown_after_a_pass_or_when_no_attempt_is_left_by_default():
    rule = grading.REVEAL_AFTER_SUCCESS_OR_END
    assert not grading.right_answers_visible(rule, passed=False, attempts_used=1, max_attempts=3)
    assert grading.right_answers_visible(rule, passed=True, attempts_used=1, max_attempts=3)
    assert grading.right_answers_visible(rule, passed=False, attempts_used=3, max_attempts=3)
    assert not grading.right_answers_visible(rule, passed=False, attempts_used=9, max_attempts=0)


def test_the_editor_can_show_right_answers_only_after_a_pass_only_at_the_end_or_never():
    after_pass, last, never = grading.REVEAL_AFTER_SUCCESS, grading.REVEAL_AT_END, "never"
    assert not grading.right_answers_visible(
        after_pass, passed=False, attempts_used=3, max_attempts=3
    )
    assert grading.right_answers_visible(after_pass, passed=True, attempts_used=1, max_attempts=3)
    assert not grading.right_answers_visible(last, passed=True, attempts_used=1, max_attempts=3)
    assert grading.right_answers_visible(last, passed=False, attempts_used=3, max_attempts=3)
    assert not grading.right_answers_visible(never, passed=True, attempts_used=3, max_attempts=3)


def pool(pid, n, draw):
    return {
        "pool": pid,
        "draw": draw,
        "questions": [q(f"{pid}{i}", "single", [0]) for i in range(n)],
    }


def test_each_attempt_asks_every_single_question_and_draw_from_each_pool():
    groups = [{"pool": "", "draw": 1, "questions": [q("solo", "single", [0])]}, pool("p", 8, 3)]
    drawn = grading.draw_questions(groups, asked_before={}, seed=1)
    ids = [question["id"] for question in drawn]
    assert ids[0] == "solo" and len(ids) == 4 and len(set(ids)) == 4
    assert set(ids[1:]) <= {f"p{i}" for i in range(8)}


def test_a_retry_gets_questions_not_asked_before_while_the_pool_has_them():
    groups = [pool("p", 5, 2)]
    first = {x["id"] for x in grading.draw_questions(groups, asked_before={}, seed=7)}
    second = {
        x["id"]
        for x in grading.draw_questions(groups, asked_before=dict.fromkeys(first, 1), seed=7)
    }
    assert not first & second
    asked = dict.fromkeys(first | second, 1)
    third = {x["id"] for x in grading.draw_questions(groups, asked_before=asked, seed=7)}
    assert ({f"p{i}" for i in range(5)} - first - second) <= third  # the one left is asked
