"""Quiz-writing rules for the seed curriculum: a test-wise learner must not be able to pass
by spotting patterns instead of understanding the course."""

import json
import re

import pytest

from courses.services import SEED_DIR

COURSES = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted(SEED_DIR.glob("*.json"))
}
MULTIPLE_INSTRUCTION = "Velg alle som passer."


def _questions(course: dict) -> list[dict]:
    quizzes = [module["quiz"] for module in course["modules"] if module.get("quiz")]
    quizzes.append(course.get("final_quiz") or {"questions": []})
    return [question for quiz in quizzes for question in quiz["questions"]]


def _all_questions() -> list[tuple[str, dict]]:
    return [(slug, question) for slug, course in COURSES.items() for question in _questions(course)]


def _visible_length(text: str) -> int:
    return len(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip())


def _right_is_longest(question: dict) -> bool:
    right = [c for c in question["choices"] if c.get("correct")][0]
    others = [_visible_length(c["text"]) for c in question["choices"] if c is not right]
    return _visible_length(right["text"]) > max(others)


def test_true_false_answers_are_balanced():
    answers = [
        next(c["key"] for c in q["choices"] if c.get("correct"))
        for _slug, q in _all_questions()
        if q["type"] == "true_false"
    ]
    assert answers, "the curriculum should have true/false items"
    for key in ("true", "false"):
        share = answers.count(key) / len(answers)
        assert share >= 0.3, f"«{key}» is the answer in {answers.count(key)} of {len(answers)}"


def test_the_right_option_is_seldom_the_longest():
    singles = [(slug, q) for slug, q in _all_questions() if q["type"] == "single"]
    longest = [f"{slug}:{q['key']}" for slug, q in singles if _right_is_longest(q)]
    assert len(longest) * 3 <= len(singles), (
        f"the right option is the longest in {len(longest)} of {len(singles)}: {longest}"
    )


@pytest.mark.parametrize("slug", sorted(COURSES))
def test_no_course_makes_the_longest_option_a_safe_guess(slug):
    singles = [q for q in _questions(COURSES[slug]) if q["type"] == "single"]
    longest = [q["key"] for q in singles if _right_is_longest(q)]
    assert len(longest) * 2 <= len(singles), (slug, longest)


def test_every_multiple_answer_question_says_to_pick_all_that_apply():
    missing = [
        f"{slug}:{q['key']}"
        for slug, q in _all_questions()
        if q["type"] == "multiple" and not q["text"].endswith(MULTIPLE_INSTRUCTION)
    ]
    assert not missing


def test_ordering_items_are_short_enough_to_have_one_fair_order():
    long_items = [
        f"{slug}:{q['key']}"
        for slug, q in _all_questions()
        if q["type"] == "ordering" and len(q["choices"]) > 4
    ]
    assert not long_items


def test_every_module_quiz_forgives_one_wrong_answer_under_one_pass_mark():
    marks = set()
    for slug, course in COURSES.items():
        for module in course["modules"]:
            quiz = module.get("quiz")
            if not quiz:
                continue
            count = len(quiz["questions"])
            marks.add(quiz["pass_mark"])
            assert quiz["pass_mark"] * count <= 100 * (count - 1), (slug, module["key"])
    assert len(marks) <= 1, f"module quizzes use different pass marks: {sorted(marks)}"
