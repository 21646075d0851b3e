"""generate_scale_data at tiny sizes: deterministic, consistent, the right shape."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max

from learners.models import (
    AssignmentPerson,
    Enrolment,
    Membership,
    ModuleProgress,
    OrgUnit,
    QuizAttempt,
    User,
)
from learners.services.scale_data import EMAIL_DOMAIN

TINY = {
    "employees": 300,
    "other_employees": 2,
    "progress": 2000,
    "attempts": 300,
    "extra_courses": 0,
    "today": dt.date(2026, 3, 2),
}

# What the command printed for seed 7 and TINY before its steps moved to a module of their own.
EXPECTED_TINY_COUNTS = {
    "org_units": 2807,
    "users": 1345,
    "memberships": 1345,
    "assignments": 890,
    "assigned_people": 1081,
    "enrolments": 5457,
    "module_progress": 2000,
    "quiz_attempts": 294,
}


class _Undo(Exception):
    pass


def _snapshot() -> dict:
    oslo_units = OrgUnit.objects.filter(municipality__number="0301")
    generated = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    return {
        "users": generated.count(),
        "progress": ModuleProgress.objects.filter(enrolment__user__in=generated).count(),
        "attempts": QuizAttempt.objects.filter(enrolment__user__in=generated).count(),
        "enrolments": Enrolment.objects.filter(user__in=generated).count(),
        "assigned": AssignmentPerson.objects.filter(user__in=generated).count(),
        "oslo_paths": list(oslo_units.order_by("path").values_list("path", "name")),
        "oslo_depth": oslo_units.aggregate(d=Max("depth"))["d"],
        "placements": list(
            Membership.objects.filter(user__in=generated)
            .order_by("user__email")
            .values_list("user__email", "org_unit__path")
        ),
        "progress_per_person": list(
            generated.annotate(n=Count("enrolments__progress"))
            .order_by("email")
            .values_list("email", "n")
        ),
    }


def _generate(seed: int, **sizes) -> dict:
    """Run the command inside a transaction that is rolled back, and describe what it made."""
    result = {}
    try:
        with transaction.atomic():
            call_command("generate_scale_data", seed=seed, stdout=io.StringIO(), **sizes)
            result = _snapshot()
            result["problems"] = _tree_problems()
            result["oslo_people"] = Membership.objects.filter(
                municipality__number="0301", user__email__endswith=f"@{EMAIL_DOMAIN}"
            ).count()
            result["inconsistent"] = _inconsistencies()
            raise _Undo
    except _Undo:
        pass
    return result


def _tree_problems() -> list[str]:
    """What treebeard's find_problems checks (depth, numchild, parents), in one query."""
    units = {
        path: (depth, numchild)
        for path, depth, numchild in OrgUnit.objects.values_list("path", "depth", "numchild")
    }
    step = OrgUnit.steplen
    children: dict[str, int] = {}
    problems = []
    for path, (depth, _numchild) in units.items():
        if len(path) != depth * step:
            problems.append(f"depth {path}")
        if depth > 1:
            parent = path[:-step]
            if parent not in units:
                problems.append(f"orphan {path}")
            children[parent] = children.get(parent, 0) + 1
    problems += [f"numchild {p}" for p, (_d, n) in units.items() if children.get(p, 0) != n]
    return problems


def _inconsistencies() -> list[str]:
    """Rules a real learner's records always follow."""
    found = []
    by_quiz = ModuleProgress.objects.filter(
        module__completion="quiz", enrolment__user__email__endswith=EMAIL_DOMAIN
    )
    for progress in by_quiz.select_related("enrolment")[:100]:
        if not QuizAttempt.objects.filter(
            enrolment=progress.enrolment, quiz_page_id=progress.module_id, passed=True
        ).exists():
            found.append(f"quiz module done without a pass: {progress.pk}")
    for enrolment in Enrolment.objects.filter(status="completed")[:200]:
        if enrolment.completed_at is None:
            found.append(f"completed without a date: {enrolment.pk}")
    return found


@pytest.mark.django_db
def test_same_seed_same_data_and_the_right_shape():
    first = _generate(7, **TINY)
    again = _generate(7, **TINY)
    other = _generate(8, **TINY)

    assert first == again
    assert first["placements"] != other["placements"]

    assert first["problems"] == []
    assert first["oslo_depth"] in (4, 5)
    depths = {path for path, _name in first["oslo_paths"]}
    assert all(len(path) % OrgUnit.steplen == 0 for path in depths)
    assert first["oslo_people"] == TINY["employees"] + 1  # the employees and one HR adviser
    # Every one of the 357 municipalities has people (at least its HR adviser).
    assert first["users"] >= 357 + TINY["employees"]
    assert 0 < first["progress"] <= TINY["progress"]
    assert first["progress"] > TINY["progress"] * 0.8
    assert first["attempts"] > 0
    assert first["assigned"] > TINY["employees"]
    assert first["inconsistent"] == []


@pytest.mark.django_db
def test_refuses_to_generate_twice():
    with transaction.atomic():
        call_command("generate_scale_data", seed=1, stdout=io.StringIO(), **TINY)
        with pytest.raises(CommandError, match="already"):
            call_command("generate_scale_data", seed=1, stdout=io.StringIO(), **TINY)
        transaction.set_rollback(True)


def _counts(seed: int, **options) -> dict[str, int]:
    out = io.StringIO()
    with transaction.atomic():
        call_command("generate_scale_data", seed=seed, stdout=out, **options)
        transaction.set_rollback(True)
    summary = out.getvalue().strip().removeprefix("Scale data generated: ")
    counts = dict(part.rsplit(" ", 1) for part in summary.split(", "))
    counts.pop("seconds")
    counts.pop("rollup_seconds", None)
    return {key: int(value) for key, value in counts.items()}


@pytest.mark.django_db
def test_a_small_run_makes_the_same_rows_as_before_the_steps_were_split_out():
    """The figures the command printed for this seed and these sizes before its steps moved
    to learners/services/scale_data.py: the same seed still gives the same data."""
    assert _counts(7, **TINY) == EXPECTED_TINY_COUNTS
