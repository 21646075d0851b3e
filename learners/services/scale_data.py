"""The steps of `manage.py generate_scale_data`: a realistic, deterministic data set.

Each step is a small function of a random generator and plain values (courses, paths, one
municipality's tree and people, one enrolment's progress, one quiz's attempts) that returns
rows as tuples; `Writer` puts the rows in the database in batches with COPY (PostgreSQL) or
executemany (elsewhere). Two ways to run them:

- `generate` (the default): all 357 municipalities, Oslo with `employees` people in a deep
  tree, the others small; one random stream through every step in a fixed order, so a seed
  always gives the same rows.
- `generate_national`: every municipality at its share of `people` by population
  (learners/data/municipality_population.csv), each with its own random stream seeded by the
  seed and its number and written as soon as it is made, so one municipality's rows are the
  same whichever other municipalities are generated beside it, and memory stays bounded by
  the largest municipality.

Ids are allocated up front after whatever the tables already hold, treebeard paths are
computed directly, and every person gets the same precomputed password hash."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models

from courses import grading
from courses.models import CatalogPage, CoursePage, LearningPath, ModulePage
from courses.services import SEED_DIR, course_import, learning_path_create
from learners.models import (
    Assignment,
    AssignmentPerson,
    Enrolment,
    Membership,
    ModuleProgress,
    Municipality,
    OrgUnit,
    QuizAttempt,
    User,
)

EMAIL_DOMAIN = "skala.endra.example"
OSLO = "0301"
PASSWORD = "endra-skala-2026"  # noqa: S105 - a known password for generated test people
POPULATION_CSV = Path(__file__).resolve().parent.parent / "data" / "municipality_population.csv"


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anne Inger Kari Marit Ingrid Liv Eva Berit Astrid Bjørg Hilde Anna Solveig Marianne Randi "
    "Ida Nina Maria Elisabeth Kristin Jan Per Bjørn Ole Lars Kjell Knut Arne Svein Thomas Hans "
    "Geir Tor Morten Terje Odd Erik Martin Andreas Jon Emma Nora Sara Amir Fatima Mohammed Ali"
)
LAST_NAMES = _words(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen "
    "Pettersen Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen "
    "Halvorsen Henriksen Lund Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen "
    "Eide Knutsen Martinsen Paulsen Bakken Kristoffersen Mathisen Lie Amundsen Nguyen Rasmussen "
    "Ali Lunde"
)
OSLO_SECTORS = [
    *(
        f"Bydel {name}"
        for name in (
            "Alna",
            "Bjerke",
            "Frogner",
            "Gamle Oslo",
            "Grorud",
            "Grünerløkka",
            "Nordre Aker",
            "Nordstrand",
            "Sagene",
            "St. Hanshaugen",
            "Stovner",
            "Søndre Nordstrand",
            "Ullern",
            "Vestre Aker",
            "Østensjø",
        )
    ),
    "Helseetaten",
    "Sykehjemsetaten",
    "Utdanningsetaten",
    "Bymiljøetaten",
    "Velferdsetaten",
]
SECTORS = [  # the top of a large municipality other than Oslo
    "Helse og omsorg",
    "Oppvekst og utdanning",
    "Barnehager",
    "Skoler",
    "Velferd",
    "Kultur og idrett",
    "Teknisk drift",
    "Plan og bygg",
    "Næring og samfunn",
    "Eiendom",
    "Økonomi og organisasjon",
    "Barn og familie",
]
DEPARTMENTS = [
    "Helse",
    "Omsorg",
    "Oppvekst",
    "Barnehager",
    "Skoler",
    "NAV-kontor",
    "Kultur",
    "Barnevern",
    "Rus og psykiatri",
    "Økonomi",
    "Stab",
    "Teknikk",
    "Eiendom",
    "Bolig",
    "Innbyggerservice",
]
SMALL_SECTORS = ("Sektor helse og omsorg", "Sektor oppvekst", "Sektor teknisk", "Stab og støtte")
TEAM_WORDS = ("Team", "Gruppe", "Avdeling", "Seksjon")
# In the national set a municipality with this many employees gets a deep tree; a smaller one
# gets sectors with about PER_UNIT employees in each unit.
DEEP_FROM = 1000
PER_UNIT = 25

COLUMNS: dict[type[models.Model], list[str]] = {
    OrgUnit: ["id", "path", "depth", "numchild", "municipality_id", "name"],
    User: [
        "id",
        "password",
        "last_login",
        "is_superuser",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
    ],
    Membership: [
        "id",
        "user_id",
        "municipality_id",
        "org_unit_id",
        "is_learner",
        "is_hr",
        "created_at",
    ],
    Assignment: [
        "id",
        "municipality_id",
        "learning_path_id",
        "course_id",
        "target",
        "org_unit_id",
        "include_subunits",
        "role",
        "due_date",
        "due_days",
        "created_by_id",
        "created_at",
        "ended_at",
    ],
    AssignmentPerson: [
        "id",
        "assignment_id",
        "user_id",
        "due_date",
        "added_at",
        "completed_at",
        "expires_on",
        "cycle",
    ],
    Enrolment: [
        "id",
        "user_id",
        "municipality_id",
        "course_id",
        "source",
        "status",
        "last_module_id",
        "created_at",
        "completed_at",
    ],
    ModuleProgress: ["id", "enrolment_id", "module_id", "done_at"],
    QuizAttempt: [
        "id",
        "enrolment_id",
        "quiz_page_id",
        "number",
        "status",
        "snapshot",
        "order",
        "pass_mark",
        "answers",
        "score",
        "passed",
        "started_at",
        "submitted_at",
    ],
}
NAMES = {  # the key of each table in the summary
    OrgUnit: "org_units",
    User: "users",
    Membership: "memberships",
    Assignment: "assignments",
    AssignmentPerson: "assigned_people",
    Enrolment: "enrolments",
    ModuleProgress: "module_progress",
    QuizAttempt: "quiz_attempts",
}


# --- Plain values the steps pass along ----------------------------------------------------


@dataclass
class Unit:
    id: int
    path: str
    depth: int
    name: str
    municipality_id: int
    children: list[Unit] = field(default_factory=list)

    def walk(self) -> Iterator[Unit]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Quiz:
    groups: list[dict]  # single questions and pools, as an attempt draws from them
    pass_mark: int
    snapshots: dict[tuple[str, ...], str] = field(default_factory=dict)  # drawn ids -> JSON

    def snapshot_json(self, snapshot: list[dict]) -> str:
        key = tuple(q["id"] for q in snapshot)
        if key not in self.snapshots:
            self.snapshots[key] = json.dumps(snapshot)
        return self.snapshots[key]


@dataclass
class CourseInfo:
    id: int
    modules: list[tuple[int, bool, bool]]  # (id, required, completed by quiz)
    quiz: dict[int, Quiz]  # module id -> its quiz


class PathInfo(NamedTuple):
    id: int
    courses: list[int]
    required: list[int]
    months: int  # validity, 0 for none


class Learner(NamedTuple):
    user_id: int
    municipality_id: int
    courses: dict[int, str]  # course id -> source ("assignment" or "self")


class QuizEvent(NamedTuple):
    enrolment_id: int
    module_id: int
    course: CourseInfo
    moment: dt.datetime  # when the learner last worked in the course
    done: bool  # the module is done, so a passed attempt must exist


@dataclass
class Clock:
    today: dt.date
    now: dt.datetime

    @classmethod
    def at(cls, today: dt.date, tz: dt.tzinfo) -> Clock:
        return cls(today, dt.datetime.combine(today, dt.time(12, 0), tzinfo=tz))


class Ids:
    """Primary keys allocated up front, after whatever the table already holds."""

    def __init__(self, model: type[models.Model]):
        self.next = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


@dataclass
class Keys:
    units: Ids
    users: Ids
    members: Ids
    assignments: Ids
    people: Ids
    enrolments: Ids
    progress: Ids
    attempts: Ids
    roots: list  # one entry per root unit, for the next root's path

    @classmethod
    def after_existing(cls) -> Keys:
        last_root = OrgUnit.get_last_root_node()
        return cls(
            units=Ids(OrgUnit),
            users=Ids(User),
            members=Ids(Membership),
            assignments=Ids(Assignment),
            people=Ids(AssignmentPerson),
            enrolments=Ids(Enrolment),
            progress=Ids(ModuleProgress),
            attempts=Ids(QuizAttempt),
            roots=[None] * (OrgUnit._str2int(last_root.path) if last_root else 0),
        )


@dataclass
class Learning:
    """What the learning step produced for a group of learners."""

    quiz_events: list[QuizEvent] = field(default_factory=list)
    completed_at: dict[tuple[int, int], dt.datetime] = field(default_factory=dict)
    progress_done: int = 0


# --- Writing ------------------------------------------------------------------------------


class Writer:
    """Rows buffered per table and written in batches: COPY on PostgreSQL, executemany
    elsewhere. Foreign keys are checked at commit, so tables may be written in any order."""

    def __init__(self, batch: int = 20_000):
        self.batch = batch
        self.buffers: dict[type[models.Model], list[tuple]] = defaultdict(list)
        self.written: dict[str, int] = {NAMES[model]: 0 for model in COLUMNS}

    def add(self, model: type[models.Model], row: tuple) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= self.batch:
            self.flush(model)

    def extend(self, model: type[models.Model], rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(model, row)

    def flush(self, model: type[models.Model] | None = None) -> None:
        for each in [model] if model else list(COLUMNS):
            rows = self.buffers.pop(each, [])
            if rows:
                self.written[NAMES[each]] += write_rows(each, COLUMNS[each], rows)


def write_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows (tuples in `columns` order): COPY on PostgreSQL, executemany elsewhere."""
    table = model._meta.db_table
    names = ", ".join(f'"{column}"' for column in columns)
    count = 0
    if connection.vendor == "postgresql":
        sql = f'COPY "{table}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    ops = connection.ops

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from our own models, never from input; values are bound.
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608  # nosec B608
    chunk = [tuple(adapt(v) for v in row) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, chunk)
    return len(chunk)


def sequences_reset() -> None:
    """Move the tables' id sequences past the ids written directly."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(COLUMNS)):
            cursor.execute(statement)


# --- Content ------------------------------------------------------------------------------


def courses_prepare(*, catalog: CatalogPage, extra: int) -> list[CourseInfo]:
    """The live courses, after adding `extra` cheap copies of the starter courses (their quiz
    module moved last, as in a course that ends with a test)."""
    seeds = sorted(SEED_DIR.glob("*.json"))
    for index in range(extra):
        data = json.loads(seeds[index % len(seeds)].read_text(encoding="utf-8"))
        data["slug"] = f"{data['slug']}-fordypning-{index + 1}"
        data["title"] = f"{data['title']} – fordypning {index + 1}"
        data["modules"].sort(key=lambda module: module.get("completion") == "quiz")
        course_import(catalog=catalog, data=data)
    result = []
    for course in CoursePage.objects.child_of(catalog).live().order_by("path"):
        modules = list(ModulePage.objects.child_of(course).live().order_by("path"))
        result.append(
            CourseInfo(
                id=course.pk,
                modules=[(m.pk, m.required, m.completion == "quiz") for m in modules],
                quiz={m.pk: quiz_prepare(m) for m in modules if m.has_quiz},
            )
        )
    return result


def quiz_prepare(module: ModulePage) -> Quiz:
    return Quiz(groups=module.quiz_groups(), pass_mark=module.pass_mark)


def paths_prepare(*, rng: random.Random, courses: list[CourseInfo]) -> list[PathInfo]:
    """Ten learning paths: the demo path plus nine more over the given courses."""
    pages = {c.pk: c for c in CoursePage.objects.filter(pk__in=[c.id for c in courses])}
    ids = [c.id for c in courses]
    for number in range(1, 10):
        if LearningPath.objects.filter(slug=f"skala-lop-{number}").exists():
            continue
        chosen = rng.sample(ids, min(len(ids), rng.randint(2, 4)))
        learning_path_create(
            slug=f"skala-lop-{number}",
            title=f"Læringsløp {number}: {pages[chosen[0]].title}",
            description="Generert for ytelsesmåling.",
            courses=[(pages[pk], i < 2) for i, pk in enumerate(chosen)],
            validity_months=rng.choice([None, None, 12, 24]),
        )
    result = []
    for path in LearningPath.objects.order_by("pk").prefetch_related("path_courses")[:10]:
        items = sorted(path.path_courses.all(), key=lambda item: item.sort_order)
        result.append(
            PathInfo(
                path.pk,
                [i.course_id for i in items if i.course_id in pages],
                [i.course_id for i in items if i.required and i.course_id in pages],
                path.validity_months or 0,
            )
        )
    return result


# --- Org trees ----------------------------------------------------------------------------


def org_tree(
    *,
    rng: random.Random,
    municipality_id: int,
    employees: int,
    deep: bool,
    keys: Keys,
    sector_names: list[str] | None = None,
    per_unit: int | None = None,
) -> list[Unit]:
    """A municipality's units: a few sectors with a unit or three each (or about `per_unit`
    employees in each unit), or (`deep`) sectors > departments > units > teams > sub-teams
    sized for `employees`. Sibling names sorted, paths computed directly."""
    step = OrgUnit.steplen

    def children(parent: Unit | None, names: list[str], depth: int) -> list[Unit]:
        made = []
        for name in sorted(set(names)):
            if parent is None:
                keys.roots.append(None)
                path = OrgUnit._int2str(len(keys.roots)).rjust(step, "0")
            else:
                number = len(parent.children) + 1
                path = parent.path + OrgUnit._int2str(number).rjust(step, "0")
            unit = Unit(keys.units.take(), path, depth, name, municipality_id)
            if parent is not None:
                parent.children.append(unit)
            made.append(unit)
        return made

    if not deep:
        sectors = children(None, rng.sample(SMALL_SECTORS, rng.randint(2, 3)), 1)
        for sector in sectors:
            count = (
                rng.randint(1, 3)
                if per_unit is None
                else max(1, round(employees / per_unit / len(sectors)))
            )
            word = sector.name.split()[-1].capitalize()
            children(sector, [f"{word} {k}" for k in range(1, count + 1)], 2)
        return sectors
    # About 20 employees per team, fan-out from the size; 4 or 5 levels deep.
    names = sector_names or OSLO_SECTORS
    leaves = max(8, employees // 20)
    fan = max(2, round((leaves / 1.6) ** 0.25))
    sectors = children(None, names[: min(len(names), fan + 3)], 1)
    for sector in sectors:
        short = sector.name.replace("Bydel ", "")
        departments = children(
            sector,
            [f"{d} {short}" for d in rng.sample(DEPARTMENTS, rng.randint(fan - 1, fan + 1))],
            2,
        )
        for department in departments:
            units = children(
                department,
                [
                    f"{department.name} enhet {k}"
                    for k in range(1, rng.randint(fan - 1, fan + 1) + 1)
                ],
                3,
            )
            for unit in units:
                teams = children(
                    unit,
                    [
                        f"{rng.choice(TEAM_WORDS)} {unit.name.rsplit(' ', 1)[-1]}.{k}"
                        for k in range(1, rng.randint(max(2, fan - 2), fan + 1) + 1)
                    ],
                    4,
                )
                for team in teams:
                    if rng.random() < 0.3:
                        children(team, [f"{team.name} {c}" for c in "ABC"[: rng.randint(2, 3)]], 5)
    return sectors


def unit_rows(units: Iterable[Unit]) -> Iterator[tuple]:
    for u in units:
        yield (u.id, u.path, u.depth, len(u.children), u.municipality_id, u.name)


# --- People and assignments ---------------------------------------------------------------


def user_row(*, rng: random.Random, uid: int, email: str, password: str, now: dt.datetime):
    joined = now - dt.timedelta(days=rng.randint(400, 3000))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return (uid, password, None, False, first, last, email, False, True, joined)


@dataclass
class Staff:
    """One municipality's people: its HR adviser and its employees per unit."""

    hr_id: int
    members: dict[int, list[int]]  # unit id -> user ids

    def everyone(self) -> list[int]:
        return sorted({u for ids in self.members.values() for u in ids})


def people_place(
    *,
    rng: random.Random,
    municipality_id: int,
    number: str,
    units: list[Unit],
    employees: int,
    keys: Keys,
    password: str,
    now: dt.datetime,
    writer: Writer,
) -> Staff:
    """An HR adviser, then the employees: 85 % sit in teams (leaf units), the rest higher."""
    leaves = [u for u in units if not u.children]
    inner = [u for u in units if u.children]
    hr_id = keys.users.take()
    writer.add(
        User,
        user_row(
            rng=rng, uid=hr_id, email=f"hr-{number}@{EMAIL_DOMAIN}", password=password, now=now
        ),
    )
    hr_unit = inner[0].id if inner else None
    writer.add(Membership, (keys.members.take(), hr_id, municipality_id, hr_unit, True, True, now))
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(employees):
        uid = keys.users.take()
        unit = rng.choice(leaves) if (rng.random() < 0.85 or not inner) else rng.choice(inner)
        email = f"{number}-{i:05d}@{EMAIL_DOMAIN}"
        writer.add(User, user_row(rng=rng, uid=uid, email=email, password=password, now=now))
        writer.add(
            Membership, (keys.members.take(), uid, municipality_id, unit.id, True, False, now)
        )
        members[unit.id].append(uid)
    return Staff(hr_id, members)


def assignments_make(
    *,
    rng: random.Random,
    municipality_id: int,
    sectors: list[Unit],
    units: list[Unit],
    staff: Staff,
    paths: list[PathInfo],
    deep: bool,
    keys: Keys,
    clock: Clock,
    writer: Writer,
) -> tuple[list[list], dict[int, dict[int, str]]]:
    """One path to each sector (a random one, or the first in a deep tree, which also gets
    four more paths on units near the top), with due dates. Returns the assigned people (as
    lists ending with their path, completed later) and the courses each person is given."""
    now = clock.now
    wanted: dict[int, dict[int, str]] = defaultdict(dict)  # user -> {course: source}
    targets = [(paths[rng.randrange(len(paths))] if not deep else paths[0], s) for s in sectors]
    if deep:
        for path in paths[1:5]:
            targets.append((path, rng.choice([u for u in units if u.depth <= 2])))
    assigned = []
    for path, unit in targets:
        aid = keys.assignments.take()
        due = clock.today + dt.timedelta(days=rng.randint(-60, 120))
        added = now - dt.timedelta(days=90)
        writer.add(
            Assignment,
            (aid, municipality_id, path.id, None, "unit", unit.id, True, "", due, None)
            + (staff.hr_id, added, None),
        )
        for sub in unit.walk():
            for uid in staff.members.get(sub.id, ()):
                assigned.append([keys.people.take(), aid, uid, due, added, None, None, 1, path])
                for course in path.courses:
                    wanted[uid][course] = "assignment"
    return assigned, wanted


def courses_choose(
    *,
    rng: random.Random,
    municipality_id: int,
    staff: Staff,
    wanted: dict[int, dict[int, str]],
    course_ids: list[int],
    many_enrolments: bool,
) -> list[Learner]:
    """Every employee also enrols in one to five courses of their own; with
    `many_enrolments`, the first employee is in every course (for «Min læring»)."""
    everyone = staff.everyone()
    for uid in everyone:
        extra = rng.sample(course_ids, rng.randint(1, min(5, len(course_ids))))
        for course in extra:
            wanted[uid].setdefault(course, "self")
    first = everyone[0] if everyone else None
    learners = []
    for uid in sorted(wanted):
        choice = wanted[uid]
        if many_enrolments and uid == first:
            choice = {c: choice.get(c, "self") for c in course_ids}
        learners.append(Learner(uid, municipality_id, choice))
    return learners


# --- Learning -----------------------------------------------------------------------------


def full_share(learners: list[Learner], by_course: dict[int, CourseInfo], progress: int) -> float:
    """The chance that an enrolment is complete, so that done modules total about `progress`:
    each enrolment's done modules are all n (with this chance) or 0..n-1 evenly, and expected
    p*n + (1-p)*(n-1)/2 per enrolment is solved for the target."""
    slots = sum(len(by_course[c].modules) for learner in learners for c in learner.courses)
    average = slots / max(1, sum(len(learner.courses) for learner in learners))
    share = min(1.0, progress / max(1, slots))
    return max(0.0, min(1.0, (share * average - (average - 1) / 2) / (average - (average - 1) / 2)))


def learners_learn(
    *,
    rng: random.Random,
    learners: list[Learner],
    by_course: dict[int, CourseInfo],
    p_full: float,
    progress: int,
    keys: Keys,
    clock: Clock,
    writer: Writer,
) -> Learning:
    """Enrolments and how far each got: done modules are a prefix of the course (a learner
    part of the way often reads on past a quiz not yet passed), at most `progress` in all."""
    learning = Learning()
    for learner in learners:
        for course_id, source in sorted(learner.courses.items()):
            enrolment_learn(
                rng=rng,
                learner=learner,
                course=by_course[course_id],
                source=source,
                p_full=p_full,
                room=max(0, progress - learning.progress_done),
                keys=keys,
                clock=clock,
                writer=writer,
                learning=learning,
            )
    return learning


def enrolment_learn(
    *,
    rng: random.Random,
    learner: Learner,
    course: CourseInfo,
    source: str,
    p_full: float,
    room: int,
    keys: Keys,
    clock: Clock,
    writer: Writer,
    learning: Learning,
) -> None:
    """One enrolment, its done modules (at most `room`) and its quiz events."""
    now = clock.now
    modules = course.modules
    n = len(modules)
    full = rng.random() < p_full
    skip_quiz = not full and rng.random() < 0.8
    wanted = n if full else rng.randint(0, max(0, n - 1))
    chosen = [m for m in modules if not (skip_quiz and m[2])][: min(wanted, room)]
    done = len(chosen)
    learning.progress_done += done
    eid = keys.enrolments.take()
    created = now - dt.timedelta(days=rng.randint(20, 400), minutes=rng.randint(0, 600))
    moment = created
    last_module = None
    for module_id, _required, by_quiz in chosen:
        moment = min(now - dt.timedelta(hours=1), moment + dt.timedelta(hours=rng.randint(2, 240)))
        if by_quiz:
            learning.quiz_events.append(QuizEvent(eid, module_id, course, moment, True))
        writer.add(ModuleProgress, (keys.progress.take(), eid, module_id, moment))
        last_module = module_id
    done_ids = {m[0] for m in chosen}
    for module_id, _required, by_quiz in modules:
        if by_quiz and module_id not in done_ids:
            learning.quiz_events.append(QuizEvent(eid, module_id, course, moment, False))
    complete = done == n and n > 0
    if complete:
        learning.completed_at[(learner.user_id, course.id)] = moment
    writer.add(
        Enrolment,
        (eid, learner.user_id, learner.municipality_id, course.id, source)
        + (
            "completed" if complete else "active",
            last_module,
            created,
            moment if complete else None,
        ),
    )


def attempts_make(
    *,
    rng: random.Random,
    events: list[QuizEvent],
    attempts: int,
    keys: Keys,
    writer: Writer,
    answer_rng: random.Random,
) -> None:
    """A passed attempt for every module done by quiz (they must exist), and failed ones
    (before a pass, or on a quiz not passed yet) up to about `attempts` in all. Which attempts
    exist is drawn from `rng`; what was asked and answered in each from `answer_rng`."""
    passed = sum(1 for event in events if event.done)
    failed_share = max(0, attempts - passed) / max(1, len(events))
    for event in events:
        failed = rng.random() < failed_share
        if event.done or failed:
            rows = quiz_attempt_rows(keys.attempts, event, failed=failed, rng=answer_rng)
            writer.extend(QuizAttempt, rows)


def question_traits(question_id: str) -> tuple[float, float, list[float]]:
    """A question's difficulty and discrimination (item response theory's b and a) and the
    weight of each of its wrong choices, fixed by its id: most questions work, a few are far
    too hard, a few catch strong learners more than weak ones, and some have a distractor
    nobody picks, which is what item analysis is there to find."""
    digest = hashlib.sha256(question_id.encode()).digest()
    kind = digest[0] % 20
    difficulty = -2.0 + 3.0 * digest[1] / 255
    discrimination = 0.6 + 1.4 * digest[2] / 255
    if kind == 0:
        difficulty = 3.0  # almost everyone fails
    elif kind == 1:
        discrimination = -0.8  # misleading: the better learners read it the wrong way
    weights = [0.2 + 3 * byte / 255 for byte in digest[4:12]]
    if kind in (2, 3, 4):
        weights[0] = 0.0  # a dead distractor
    return difficulty, discrimination, weights


def question_answer(question: dict, *, right: bool, rng: random.Random) -> list[str]:
    """A learner's answer to one question: the right one, or a plausible wrong one (another
    choice by the question's distractor weights, one right choice missed or one wrong choice
    added, two neighbours swapped in an ordering)."""
    choices = [c["id"] for c in question["choices"]]
    correct = [c["id"] for c in question["choices"] if c.get("correct")]
    if right or len(choices) < 2:
        return choices if question["kind"] == "ordering" else correct
    if question["kind"] == "ordering":
        i = rng.randrange(len(choices) - 1)
        swapped = choices[:]
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        return swapped
    wrong = [c for c in choices if c not in correct]
    _b, _a, weights = question_traits(question["id"])
    weights = weights[: len(wrong)]
    if question["kind"] == "multiple" and (not wrong or len(correct) > 1 and rng.random() < 0.5):
        missed = rng.choice(correct)
        return [c for c in correct if c != missed]
    if not wrong or not any(weights):
        return correct[:-1] or choices[:1]
    picked = rng.choices(wrong, weights=weights)[0]
    return [*correct, picked] if question["kind"] == "multiple" else [picked]


def attempt_answers(
    snapshot: list[dict], *, ability: float, pass_mark: int, passed: bool, rng: random.Random
) -> tuple[dict[str, list[str]], grading.GradeResult]:
    """Answers of a learner of `ability` (on the scale of the questions' difficulty) that
    pass or fail as required: each question is right with the chance item response theory
    gives, then the likeliest wrong ones are put right (or the least likely right ones wrong)
    until the attempt's result is the one the learner's record shows."""
    chance = {}
    for question in snapshot:
        difficulty, discrimination, _weights = question_traits(question["id"])
        chance[question["id"]] = 1 / (1 + math.exp(-discrimination * (ability - difficulty)))
    right = {qid: rng.random() < p for qid, p in chance.items()}
    keys = {q["id"]: question_answer(q, right=True, rng=rng) for q in snapshot}
    for qid in sorted(chance, key=chance.__getitem__, reverse=passed):
        sketch = {q: keys[q] if ok else [] for q, ok in right.items()}  # an empty answer is wrong
        if grading.grade(snapshot, sketch, pass_mark).passed == passed:
            break
        right[qid] = passed
    answers = {q["id"]: question_answer(q, right=right[q["id"]], rng=rng) for q in snapshot}
    return answers, grading.grade(snapshot, answers, pass_mark)


def quiz_attempt_rows(
    ids: Ids, event: QuizEvent, *, failed: bool, rng: random.Random
) -> list[tuple]:
    """A failed attempt (if `failed`) and then, if the module is done, a passed one. Each
    draws its own questions from the quiz's pools (a retry meets new ones while the pool has
    any), in its own order, as the quiz page does; the retry comes with a little more skill."""
    quiz = event.course.quiz[event.module_id]
    rows = []
    results = ([False] if failed else []) + ([True] if event.done else [])
    ability = rng.gauss(0.6, 1.0)
    asked: dict[str, int] = defaultdict(int)
    for number, ok in enumerate(results, start=1):
        seed = rng.getrandbits(32)
        snapshot = grading.draw_questions(quiz.groups, asked_before=asked, seed=seed)
        for question in snapshot:
            asked[question["id"]] += 1
        answers, result = attempt_answers(
            snapshot, ability=ability, pass_mark=quiz.pass_mark, passed=ok, rng=rng
        )
        ability += 0.5
        at = event.moment - dt.timedelta(minutes=30 * (len(results) - number) + 5)
        order = json.dumps(grading.shuffled_order(snapshot, seed=seed))
        rows.append(
            (ids.take(), event.enrolment_id, event.module_id, number, "submitted")
            + (quiz.snapshot_json(snapshot), order, quiz.pass_mark, json.dumps(answers))
            + (result.score, result.passed, at - dt.timedelta(minutes=10), at)
        )
    return rows


def assigned_complete(
    assigned: list[list], completed_at: dict[tuple[int, int], dt.datetime]
) -> Iterator[tuple]:
    """The assigned people as rows: complete once every required course of the path is, and
    then expiring after the path's validity."""
    for row in assigned:
        path = row.pop()
        uid, required, months = row[2], path.required or path.courses, path.months
        stamps = [completed_at.get((uid, c)) for c in required]
        if stamps and all(stamps):
            last = max(s for s in stamps if s is not None)
            row[5] = last
            if months:
                row[6] = (last + dt.timedelta(days=round(months * 30.4))).date()
        yield tuple(row)


# --- The two ways to run the steps --------------------------------------------------------


@dataclass
class Sizes:
    employees: int = 50_000  # Oslo's, in the default set
    other_employees: int = 24  # the mean of the other municipalities, in the default set
    progress: int = 1_000_000
    attempts: int = 200_000
    extra_courses: int = 6
    people: int = 500_000  # in the national set, shared out by population
    deep_from: int = DEEP_FROM  # in the national set, employees for a deep tree
    per_unit: int = PER_UNIT  # in the national set, employees per unit below that


@dataclass
class Municipal:
    """One municipality's org tree, staff and learners, as planned."""

    units: list[Unit]
    assigned: list[list]
    learners: list[Learner]


def municipality_plan(
    *,
    rng: random.Random,
    municipality_id: int,
    number: str,
    employees: int,
    deep: bool,
    paths: list[PathInfo],
    course_ids: list[int],
    keys: Keys,
    clock: Clock,
    password: str,
    writer: Writer,
    per_unit: int | None = None,
) -> Municipal:
    """Tree, people, assignments and chosen courses of one municipality."""
    sectors = org_tree(
        rng=rng,
        municipality_id=municipality_id,
        employees=employees,
        deep=deep,
        keys=keys,
        sector_names=OSLO_SECTORS if number == OSLO else SECTORS,
        per_unit=per_unit,
    )
    units = [u for s in sectors for u in s.walk()]
    staff = people_place(
        rng=rng,
        municipality_id=municipality_id,
        number=number,
        units=units,
        employees=employees,
        keys=keys,
        password=password,
        now=clock.now,
        writer=writer,
    )
    assigned, wanted = assignments_make(
        rng=rng,
        municipality_id=municipality_id,
        sectors=sectors,
        units=units,
        staff=staff,
        paths=paths,
        deep=deep,
        keys=keys,
        clock=clock,
        writer=writer,
    )
    learners = courses_choose(
        rng=rng,
        municipality_id=municipality_id,
        staff=staff,
        wanted=wanted,
        course_ids=course_ids,
        many_enrolments=deep and number == OSLO,
    )
    return Municipal(units, assigned, learners)


def generate(
    *,
    seed: int,
    catalog: CatalogPage,
    sizes: Sizes,
    clock: Clock,
    log: Callable[[str], None] = lambda _text: None,
) -> dict[str, int]:
    """The default set: Oslo deep and `sizes.employees` strong, every other municipality
    small; one random stream, so the same seed gives the same rows. Returns rows per table."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    courses = courses_prepare(catalog=catalog, extra=sizes.extra_courses)
    paths = paths_prepare(rng=rng, courses=courses)
    by_course = {c.id: c for c in courses}
    course_ids = [c.id for c in courses]
    password = make_password(PASSWORD)  # one hash for everyone: hashing is the slow part
    keys = Keys.after_existing()
    writer = Writer()
    learners: list[Learner] = []
    assigned: list[list] = []
    for municipality_id, number in Municipality.objects.order_by("number").values_list(
        "pk", "number"
    ):
        deep = number == OSLO
        employees = (
            sizes.employees
            if deep
            else max(1, round(sizes.other_employees * rng.uniform(0.5, 1.5)))
        )
        plan = municipality_plan(
            rng=rng,
            municipality_id=municipality_id,
            number=number,
            employees=employees,
            deep=deep,
            paths=paths,
            course_ids=course_ids,
            keys=keys,
            clock=clock,
            password=password,
            writer=writer,
        )
        writer.extend(OrgUnit, unit_rows(plan.units))
        learners += plan.learners
        assigned += plan.assigned
    log(f"{writer.written['users'] + len(writer.buffers[User])} users, {len(learners)} learners")
    p_full = full_share(learners, by_course, sizes.progress)
    learning = learners_learn(
        rng=rng,
        learners=learners,
        by_course=by_course,
        p_full=p_full,
        progress=sizes.progress,
        keys=keys,
        clock=clock,
        writer=writer,
    )
    attempts_make(
        rng=rng,
        events=learning.quiz_events,
        attempts=sizes.attempts,
        keys=keys,
        writer=writer,
        answer_rng=random.Random(f"{seed}-answers"),  # noqa: S311 - test data
    )
    writer.extend(AssignmentPerson, assigned_complete(assigned, learning.completed_at))
    writer.flush()
    sequences_reset()
    return writer.written


def national_sizes(*, people: int, path: Path = POPULATION_CSV) -> dict[str, int]:
    """Employees per municipality number: `people` shared out by population."""
    with path.open(encoding="utf-8", newline="") as handle:
        population = {row["number"]: int(row["population"]) for row in csv.DictReader(handle)}
    total = sum(population.values())
    return {number: max(1, round(people * count / total)) for number, count in population.items()}


def generate_national(
    *,
    seed: int,
    catalog: CatalogPage,
    sizes: Sizes,
    clock: Clock,
    only: set[str] | None = None,
    log: Callable[[str], None] = lambda _text: None,
) -> dict[str, int]:
    """The national set: every municipality (or those numbered in `only`) at its share of
    `sizes.people`, with progress and attempts in proportion. Each municipality draws from
    its own random stream and is written before the next is made."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    courses = courses_prepare(catalog=catalog, extra=sizes.extra_courses)
    paths = paths_prepare(rng=rng, courses=courses)
    by_course = {c.id: c for c in courses}
    course_ids = [c.id for c in courses]
    password = make_password(PASSWORD)
    employees_by_number = national_sizes(people=sizes.people)
    everyone = sum(employees_by_number.values())
    keys = Keys.after_existing()
    writer = Writer()
    municipalities = Municipality.objects.order_by("number").values_list("pk", "number")
    for municipality_id, number in municipalities:
        if only is not None and number not in only:
            continue
        employees = employees_by_number[number]
        local = random.Random(f"{seed}-{number}")  # noqa: S311 - test data, not security
        plan = municipality_plan(
            rng=local,
            municipality_id=municipality_id,
            number=number,
            employees=employees,
            deep=employees >= sizes.deep_from,
            paths=paths,
            course_ids=course_ids,
            keys=keys,
            clock=clock,
            password=password,
            writer=writer,
            per_unit=sizes.per_unit,
        )
        writer.extend(OrgUnit, unit_rows(plan.units))
        progress = round(sizes.progress * employees / everyone)
        learning = learners_learn(
            rng=local,
            learners=plan.learners,
            by_course=by_course,
            p_full=full_share(plan.learners, by_course, progress),
            progress=progress,
            keys=keys,
            clock=clock,
            writer=writer,
        )
        attempts = round(sizes.attempts * employees / everyone)
        attempts_make(
            rng=local,
            events=learning.quiz_events,
            attempts=attempts,
            keys=keys,
            writer=writer,
            answer_rng=random.Random(f"{seed}-{number}-answers"),  # noqa: S311 - test data
        )
        writer.extend(AssignmentPerson, assigned_complete(plan.assigned, learning.completed_at))
        if employees >= sizes.deep_from:
            log(f"{number}: {employees} employees, {len(plan.units)} units")
    writer.flush()
    sequences_reset()
    return writer.written
