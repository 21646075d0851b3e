"""The steps of the scale data generator, each on its own."""

import datetime as dt
import json
import random
import statistics

import pytest
from django.db import transaction
from django.utils import timezone

from courses import grading
from courses.models import CatalogPage
from learners.models import (
    AssignmentPerson,
    Enrolment,
    Membership,
    ModuleProgress,
    OrgUnit,
    QuizAttempt,
    User,
)
from learners.services import scale_data
from learners.services.scale_data import (
    EMAIL_DOMAIN,
    Clock,
    CourseInfo,
    Ids,
    Keys,
    Learner,
    PathInfo,
    Quiz,
    QuizEvent,
    Sizes,
)
from tests.learners.hr_support import totp_for

SINGLE = {
    "id": "q-single",
    "kind": "single",
    "text": "Hva er viktigst?",
    "choices": [
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": False},
        {"id": "c", "text": "C", "correct": False},
        {"id": "d", "text": "D", "correct": False},
    ],
}
MULTIPLE = {
    "id": "q-multiple",
    "kind": "multiple",
    "text": "Hvilke stemmer?",
    "choices": [
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": True},
        {"id": "c", "text": "C", "correct": False},
        {"id": "d", "text": "D", "correct": False},
    ],
}
TRUE_FALSE = {
    "id": "q-tf",
    "kind": "true_false",
    "text": "Sant?",
    "choices": [
        {"id": "sant", "text": "Sant", "correct": True},
        {"id": "usant", "text": "Usant", "correct": False},
    ],
}
ORDERING = {
    "id": "q-order",
    "kind": "ordering",
    "text": "Sett i rekkefølge",
    "choices": [{"id": k, "text": k, "correct": False} for k in ("en", "to", "tre", "fire")],
}
QUESTIONS = [SINGLE, MULTIPLE, TRUE_FALSE, ORDERING]


def _keys() -> Keys:
    return Keys.after_existing()


def _tree_problems(units: list[scale_data.Unit]) -> list[str]:
    by_path = {u.path: u for u in units}
    step = OrgUnit.steplen
    problems = []
    for u in units:
        if len(u.path) != u.depth * step:
            problems.append(f"depth {u.path}")
        if u.depth > 1 and u.path[:-step] not in by_path:
            problems.append(f"orphan {u.path}")
        names = [c.name for c in u.children]
        if names != sorted(names):
            problems.append(f"unsorted {u.path}")
    return problems


@pytest.mark.django_db
def test_a_deep_tree_is_valid_and_sized_for_its_employees():
    def tree(seed):
        sectors = scale_data.org_tree(
            rng=random.Random(seed),
            municipality_id=1,
            employees=8000,
            deep=True,
            keys=_keys(),
            sector_names=scale_data.SECTORS,
        )
        return [u for s in sectors for u in s.walk()]

    units = tree(3)
    assert _tree_problems(units) == []
    assert max(u.depth for u in units) in (4, 5)
    leaves = [u for u in units if not u.children]
    assert 8000 / 40 < len(leaves) < 8000 / 10  # about 20 employees per team
    assert {u.name for u in units if u.depth == 1} <= set(scale_data.SECTORS)
    assert [(u.path, u.name) for u in tree(3)] == [(u.path, u.name) for u in units]
    assert [(u.path, u.name) for u in tree(4)] != [(u.path, u.name) for u in units]


@pytest.mark.django_db
def test_a_small_tree_has_about_per_unit_employees_in_each_unit():
    sectors = scale_data.org_tree(
        rng=random.Random(1),
        municipality_id=1,
        employees=600,
        deep=False,
        keys=_keys(),
        per_unit=25,
    )
    units = [u for s in sectors for u in s.walk()]
    leaves = [u for u in units if not u.children]
    assert _tree_problems(units) == []
    assert max(u.depth for u in units) == 2
    assert 600 / len(leaves) == pytest.approx(25, rel=0.2)


def test_the_full_share_makes_the_expected_progress_the_target():
    # Ten enrolments in a course of five modules, 40 done modules wanted: an enrolment is
    # complete with chance p and otherwise has 0..4 done (2 on average), so 5p + 2(1-p) = 4.
    course = CourseInfo(id=1, modules=[(m, True, False) for m in range(5)], quiz={})
    learners = [Learner(u, 1, {1: "self"}) for u in range(10)]
    assert scale_data.full_share(learners, {1: course}, 40) == pytest.approx(2 / 3)
    assert scale_data.full_share(learners, {1: course}, 10_000) == 1.0
    assert scale_data.full_share(learners, {1: course}, 0) == 0.0


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q["kind"])
def test_a_wrong_answer_is_complete_and_graded_wrong(question):
    rng = random.Random(5)
    for _ in range(50):
        wrong = scale_data.question_answer(question, right=False, rng=rng)
        assert grading.answer_is_complete(question, wrong)
        assert not grading.question_is_correct(question, wrong)
    right = scale_data.question_answer(question, right=True, rng=rng)
    assert grading.question_is_correct(question, right)


def test_attempts_pass_or_fail_as_the_record_needs_and_stronger_learners_do_better():
    rng = random.Random(11)
    right_counts = {-2.0: [], 2.0: []}
    for ability in right_counts:
        for passed in (True, False):
            for _ in range(300):
                answers, result = scale_data.attempt_answers(
                    QUESTIONS, ability=ability, pass_mark=75, passed=passed, rng=rng
                )
                assert result == grading.grade(QUESTIONS, answers, 75)
                assert result.passed is passed
                assert not grading.missing_answers(QUESTIONS, answers)
                right_counts[ability].append(result.correct_count)
    assert statistics.mean(right_counts[2.0]) > statistics.mean(right_counts[-2.0])


def test_question_traits_are_fixed_by_the_id_and_some_questions_are_broken():
    assert scale_data.question_traits("q-1") == scale_data.question_traits("q-1")
    traits = [scale_data.question_traits(f"q-{n}") for n in range(400)]
    assert any(b >= 3.0 for b, _a, _w in traits)  # far too hard
    assert any(a < 0 for _b, a, _w in traits)  # strong learners fail it more
    assert any(w[0] == 0.0 for _b, _a, w in traits)  # a dead distractor
    assert sum(1 for _b, a, _w in traits if a > 0) > 0.9 * len(traits)


@pytest.mark.django_db
def test_each_attempt_draws_its_own_questions_from_a_pool_and_a_retry_meets_new_ones():
    pool = [dict(SINGLE, id=f"p-{n}", pool="pool") for n in range(8)]
    quiz = Quiz(
        groups=[
            {"pool": "", "draw": 1, "questions": [TRUE_FALSE]},
            {"pool": "pool", "title": "Gevinster", "draw": 3, "questions": pool},
        ],
        pass_mark=75,
    )
    course = CourseInfo(id=1, modules=[(10, True, True)], quiz={10: quiz})
    moment = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    rng = random.Random(2)
    sets = []
    for enrolment in range(40):
        event = QuizEvent(enrolment, 10, course, moment, True)
        rows = scale_data.quiz_attempt_rows(Ids(OrgUnit), event, failed=True, rng=rng)
        assert [row[3] for row in rows] == [1, 2]  # a failed attempt, then the pass
        first, second = (json.loads(row[5]) for row in rows)
        assert [row[10] for row in rows] == [False, True]
        for row, snapshot in zip(rows, (first, second), strict=True):
            answers = json.loads(row[8])
            assert grading.grade(snapshot, answers, 75).score == row[9]
            assert sorted(json.loads(row[6])["questions"]) == sorted(q["id"] for q in snapshot)
        drawn = [{q["id"] for q in s if q["id"].startswith("p-")} for s in (first, second)]
        assert all(len(d) == 3 for d in drawn)
        assert not drawn[0] & drawn[1]  # five unasked questions are left for the retry
        sets.append(frozenset(drawn[0]))
    assert len(set(sets)) > 10


def test_an_assigned_person_is_complete_when_every_required_course_is():
    path = PathInfo(id=1, courses=[1, 2, 3], required=[1, 2], months=12)
    done = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    later = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)
    rows = [
        [1, 9, 100, None, None, None, None, 1, path],
        [2, 9, 101, None, None, None, None, 1, path],
    ]
    completed = {(100, 1): done, (100, 2): later, (101, 1): done, (101, 3): later}
    first, second = scale_data.assigned_complete(rows, completed)
    assert first[5] == later and first[6] == (later + dt.timedelta(days=365)).date()
    assert second[5] is None and second[6] is None  # course 2 is required and not done


def test_national_sizes_follow_the_population():
    sizes = scale_data.national_sizes(people=500_000)
    assert len(sizes) == 357
    assert sum(sizes.values()) == pytest.approx(500_000, abs=357)
    assert min(sizes.values()) >= 1
    assert max(sizes, key=sizes.__getitem__) == "0301"
    # Oslo (717,710 people) against Bergen (291,940) on 1 January 2025.
    assert sizes["0301"] / sizes["4601"] == pytest.approx(717_710 / 291_940, rel=0.01)


def _municipality_rows(number: str) -> dict:
    """What one municipality holds, without ids (they depend on what was written before)."""
    people = Membership.objects.filter(municipality__number=number)
    enrolments = Enrolment.objects.filter(municipality__number=number)
    return {
        "people": sorted(
            people.values_list("user__email", "user__first_name", "org_unit__name", "is_hr")
        ),
        "units": sorted(
            OrgUnit.objects.filter(municipality__number=number).values_list("depth", "name")
        ),
        "enrolments": sorted(
            enrolments.values_list("user__email", "course_id", "status", "completed_at")
        ),
        "progress": sorted(
            ModuleProgress.objects.filter(enrolment__in=enrolments).values_list(
                "enrolment__user__email", "module_id", "done_at"
            )
        ),
        "attempts": sorted(
            QuizAttempt.objects.filter(enrolment__in=enrolments).values_list(
                "enrolment__user__email", "quiz_page_id", "number", "score", "passed"
            )
        ),
        "assigned": sorted(
            AssignmentPerson.objects.filter(assignment__municipality__number=number).values_list(
                "user__email", "assignment__learning_path__slug", "completed_at"
            )
        ),
    }


def _dashboard_queries(client, number: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr = User.objects.get(email=f"hr-{number}@{EMAIL_DOMAIN}")
    totp_for(hr)
    client.force_login(hr)
    client.get("/hr/")  # sessions, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/hr/")
    return response.status_code, len(queries)


NATIONAL = Sizes(people=6000, progress=40_000, attempts=8000, extra_courses=0, deep_from=100)


@pytest.mark.django_db
def test_a_municipality_is_the_same_in_the_national_set_whatever_else_is_generated(client):
    """Every municipality at its share of the people by population, each from its own random
    stream: generated alone, a municipality gets the same rows and its HR dashboard the same
    number of queries as among all 357."""
    catalog = CatalogPage.objects.first()
    clock = Clock.at(dt.date(2026, 3, 2), timezone.get_current_timezone())
    picked = ["1517", "3203"]  # Hareid (median population) and Asker (a deep tree)
    results = {}
    for key, only in (("all", None), ("alone", set(picked))):
        with transaction.atomic():
            scale_data.generate_national(
                seed=3, catalog=catalog, sizes=NATIONAL, clock=clock, only=only
            )
            results[key] = {
                "rows": {number: _municipality_rows(number) for number in picked},
                "municipalities": Membership.objects.filter(user__email__endswith=EMAIL_DOMAIN)
                .values("municipality")
                .distinct()
                .count(),
                "queries": {number: _dashboard_queries(client, number) for number in picked},
            }
            transaction.set_rollback(True)
    assert results["all"]["municipalities"] == 357
    assert results["alone"]["municipalities"] == 2
    assert results["alone"]["rows"] == results["all"]["rows"]
    assert results["alone"]["queries"] == results["all"]["queries"]
    hareid, asker = (results["all"]["rows"][n] for n in picked)
    # Asker (99,000 people) gets a deep tree, Hareid (5,300) sectors with units.
    assert max(depth for depth, _name in asker["units"]) >= 4
    assert max(depth for depth, _name in hareid["units"]) == 2
    assert len(asker["people"]) > 10 * len(hareid["people"]) > 0
    assert hareid["attempts"] and asker["progress"]
    assert all(status == 200 for status, _n in results["all"]["queries"].values())
