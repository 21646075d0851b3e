"""Honest time estimates in the seed curriculum: every module says how long it takes on the
screen and how much of the learner's own time its task in the unit takes, and the figures
fit the text (reading at about 200 words a minute, the reflection, the quiz, and any
meeting or conversation the task names)."""

import json
import re

import pytest

from courses.services import SEED_DIR, TRANSLATION_LANGUAGES

FILES = sorted(SEED_DIR.glob("*.json")) + sorted(
    path for language in TRANSLATION_LANGUAGES for path in (SEED_DIR / language).glob("*.json")
)
COURSES = {
    str(path.relative_to(SEED_DIR)): json.loads(path.read_text(encoding="utf-8")) for path in FILES
}
WORDS_PER_MINUTE = 200
# Durations a task names, in bokmål and nynorsk, and the minutes they stand for.
NAMED = [
    (r"\b(?:en|ein) halvtime\b", 30),
    (r"\b(?:et|eit) kvarter\b", 15),
    (r"\b(?:en|ein) time\b", 60),
]


def _words(text: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", text).split())


def _block_text(block: dict) -> str:
    value = block["value"]
    return " ".join(str(v) for v in value.values()) if isinstance(value, dict) else str(value)


def _floor_minutes(module: dict) -> float:
    """The least time an attentive learner spends on the screen: reading, a moment for the
    case, writing the reflection, answering the quiz."""
    blocks = [b for b in module["body"] if b["type"] != "unit_task"]
    words = _words(module.get("intro", "")) + sum(_words(_block_text(b)) for b in blocks)
    kinds = [b["type"] for b in blocks]
    questions = len((module.get("quiz") or {"questions": []})["questions"])
    return (
        words / WORDS_PER_MINUTE
        + 2 * kinds.count("case")
        + 5 * kinds.count("reflection")
        + (1.5 * questions)
    )


def _named_minutes(text: str) -> int:
    """The longest single stretch of time the task text itself names."""
    text = re.sub(r"<[^>]+>", " ", text).lower()
    found = [int(high or low) for low, high in re.findall(r"(\d+)(?:–(\d+))? minutt", text)]
    found += [minutes for pattern, minutes in NAMED if re.search(pattern, text)]
    return max(found, default=0)


MODULES = [(name, module) for name, course in COURSES.items() for module in course["modules"]]


@pytest.mark.parametrize(("name", "module"), MODULES, ids=[f"{n}:{m['key']}" for n, m in MODULES])
def test_every_module_has_an_honest_screen_time_and_task_time(name, module):
    screen, task = module.get("estimated_minutes"), module.get("task_minutes")
    assert isinstance(screen, int) and screen > 0, "minutes on screen missing"
    assert isinstance(task, int) and task > 0, "minutes for the task in the unit missing"
    floor = _floor_minutes(module)
    assert floor * 0.8 <= screen <= max(floor * 2, floor + 10), (screen, round(floor, 1))
    tasks = [b for b in module["body"] if b["type"] == "unit_task"]
    named = max((_named_minutes(b["value"]["text"]) for b in tasks), default=0)
    assert task >= named + 5, f"the task names {named} min but is estimated at {task}"
    assert task <= 240, "a task in the unit of more than four hours is a project"


@pytest.mark.parametrize("name", sorted(COURSES))
def test_a_course_takes_its_modules_screen_time_and_the_final_quiz(name):
    course = COURSES[name]
    modules = sum(module["estimated_minutes"] for module in course["modules"])
    questions = len((course.get("final_quiz") or {"questions": []})["questions"])
    assert modules + questions <= course["estimated_minutes"] <= modules + 3 * questions + 10


def test_a_translation_keeps_the_time_of_its_source():
    for language in TRANSLATION_LANGUAGES:
        for path in (SEED_DIR / language).glob("*.json"):
            translated = COURSES[str(path.relative_to(SEED_DIR))]
            source = COURSES[path.name]
            times = {
                m["key"]: (m["estimated_minutes"], m["task_minutes"]) for m in source["modules"]
            }
            for module in translated["modules"]:
                assert (module["estimated_minutes"], module["task_minutes"]) == times[
                    module["key"]
                ], module["key"]
