"""Item analysis of a quiz from stored attempt snapshots: pure functions, no database.

Each question version (its id plus a digest of its text and choices) is analysed on its own,
so an edited question's old and new answers are never mixed. Figures follow the classical
test theory used by Moodle's quiz statistics:

- facility: the share of responses that were right;
- discrimination: the Pearson correlation between being right on this question and the
  score on the rest of the attempt (the other questions), so a question does not correlate
  with itself; from -1 to 1, where below 0 means strong learners fail it more than weak ones;
- option counts: how often each option was picked; a wrong option nobody picks is dead.

Privacy: a question, option breakdown or attempt-number row based on fewer than
MIN_LEARNERS different learners is withheld. Nothing here holds names or per-person rows.
"""

import hashlib
import json
import math
from collections import defaultdict

MIN_LEARNERS = 5
HARD_FACILITY = 0.2  # almost everyone fails
EASY_FACILITY = 0.95  # almost everyone passes: tells little


def question_version(question: dict) -> str:
    """A short digest of what the learner was asked: the same question edited is a new one."""
    content = {
        "kind": question["kind"],
        "text": question["text"],
        "choices": [[c["id"], c["text"], bool(c["correct"])] for c in question["choices"]],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]


def _correct(question: dict, selected: list[str]) -> bool:
    if question["kind"] == "ordering":
        return list(selected) == [c["id"] for c in question["choices"]]
    right = {c["id"] for c in question["choices"] if c["correct"]}
    return set(selected) == right and len(selected) == len(set(selected))


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None  # everyone right (or wrong), or the rest of the quiz did not vary
    return sxy / math.sqrt(sxx * syy)


def analyse(attempts, *, first_only: bool = False, min_learners: int = MIN_LEARNERS) -> dict:
    """Statistics of one quiz. `attempts` yields dicts with learner (any opaque key, used
    only to count different learners), number, score, passed, snapshot and answers."""
    items: dict[tuple[str, str], dict] = {}
    responses: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    learners_per_item: dict[tuple[str, str], set] = defaultdict(set)
    picks: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_number: dict[int, dict] = defaultdict(lambda: {"learners": set(), "scores": [], "passed": 0})
    all_learners: set = set()
    counted = 0
    for attempt in attempts:
        if first_only and attempt["number"] != 1:
            continue
        counted += 1
        learner = attempt["learner"]
        all_learners.add(learner)
        row = by_number[attempt["number"]]
        row["learners"].add(learner)
        row["scores"].append(attempt["score"])
        row["passed"] += 1 if attempt["passed"] else 0
        snapshot, answers = attempt["snapshot"], attempt["answers"]
        right = {q["id"]: _correct(q, answers.get(q["id"]) or []) for q in snapshot}
        total_right = sum(right.values())
        for question in snapshot:
            key = (question["id"], question_version(question))
            items.setdefault(key, question)
            is_right = 1.0 if right[question["id"]] else 0.0
            others = len(snapshot) - 1
            rest = (total_right - is_right) / others if others else 0.0
            responses[key].append((is_right, rest))
            learners_per_item[key].add(learner)
            for choice_id in answers.get(question["id"]) or []:
                picks[key][choice_id] += 1
    questions = []
    for key, question in items.items():
        questions.append(
            _item_row(
                question,
                version=key[1],
                responses=responses[key],
                learners=len(learners_per_item[key]),
                picks=picks[key],
                min_learners=min_learners,
            )
        )
    # In the order first asked, each question's versions side by side.
    first_seen = {}
    for question_id, _version in items:
        first_seen.setdefault(question_id, len(first_seen))
    questions.sort(key=lambda row: first_seen[row["id"]])
    per_number = []
    for number in sorted(by_number):
        row = by_number[number]
        shown = len(row["learners"]) >= min_learners
        per_number.append(
            {
                "number": number,
                "learners": len(row["learners"]) if shown else None,
                "attempts": len(row["scores"]) if shown else None,
                "average_score": (sum(row["scores"]) / len(row["scores"])) if shown else None,
                "pass_rate": (row["passed"] / len(row["scores"])) if shown else None,
                "withheld": not shown,
            }
        )
    return {
        "attempts": counted,
        "learners": len(all_learners),
        "withheld": len(all_learners) < min_learners,
        "first_only": first_only,
        "questions": questions if len(all_learners) >= min_learners else [],
        "per_attempt_number": per_number if len(all_learners) >= min_learners else [],
    }


def _item_row(question, *, version, responses, learners, picks, min_learners) -> dict:
    row = {
        "id": question["id"],
        "version": version,
        "text": question["text"],
        "kind": question["kind"],
        "pool": question.get("pool", ""),
        "responses": len(responses) if learners >= min_learners else None,
        "withheld": learners < min_learners,
        "facility": None,
        "discrimination": None,
        "options": [],
        "flags": [],
    }
    if row["withheld"]:
        return row
    facility = sum(x for x, _rest in responses) / len(responses)
    discrimination = _pearson([x for x, _r in responses], [r for _x, r in responses])
    options = [
        {
            "id": choice["id"],
            "text": choice["text"],
            "correct": bool(choice["correct"]),
            "picked": picks.get(choice["id"], 0),
        }
        for choice in question["choices"]
    ]
    flags = []
    if facility < HARD_FACILITY:
        flags.append("hard")
    elif facility > EASY_FACILITY:
        flags.append("easy")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    if question["kind"] != "ordering" and any(
        not option["correct"] and option["picked"] == 0 for option in options
    ):
        flags.append("dead_distractor")
    row.update(
        facility=facility,
        discrimination=discrimination,
        options=options if question["kind"] != "ordering" else [],
        flags=flags,
    )
    return row
