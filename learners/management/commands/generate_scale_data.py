"""`manage.py generate_scale_data`: a realistic, deterministic data set at municipal scale.

All 357 municipalities get employees in a small org tree; Oslo (0301) gets --employees people
in a deep tree (sectors > departments > units > teams > sub-teams). Ten learning paths over the
seeded courses (plus a few cheap copies), assignments with due dates per unit, enrolments,
about --progress ModuleProgress rows and --attempts QuizAttempt rows, all consistent: a quiz
module counts as done only with a passed attempt, a completed enrolment has every module
done, an assigned person is completed when every required course of the path is.

Fast by design: ids are allocated up front, rows are built as tuples and written with COPY on
PostgreSQL (executemany elsewhere), org tree paths are computed directly, and every user gets
the same precomputed password hash. It refuses to run twice on the same database.
Needs `seed_demo` first (the catalogue and starter courses)."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

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
from learners.services.rollups import rollup_rebuild

EMAIL_DOMAIN = "skala.endra.example"
OSLO = "0301"
PASSWORD = "endra-skala-2026"  # noqa: S105 - a known password for generated test people
FIRST_NAMES = [
    "Anne",
    "Inger",
    "Kari",
    "Marit",
    "Ingrid",
    "Liv",
    "Eva",
    "Berit",
    "Astrid",
    "Bjørg",
    "Hilde",
    "Anna",
    "Solveig",
    "Marianne",
    "Randi",
    "Ida",
    "Nina",
    "Maria",
    "Elisabeth",
    "Kristin",
    "Jan",
    "Per",
    "Bjørn",
    "Ole",
    "Lars",
    "Kjell",
    "Knut",
    "Arne",
    "Svein",
    "Thomas",
    "Hans",
    "Geir",
    "Tor",
    "Morten",
    "Terje",
    "Odd",
    "Erik",
    "Martin",
    "Andreas",
    "Jon",
    "Emma",
    "Nora",
    "Sara",
    "Amir",
    "Fatima",
    "Mohammed",
    "Ali",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Kristoffersen",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Ali",
    "Lunde",
]
OSLO_SECTORS = [
    "Bydel Alna",
    "Bydel Bjerke",
    "Bydel Frogner",
    "Bydel Gamle Oslo",
    "Bydel Grorud",
    "Bydel Grünerløkka",
    "Bydel Nordre Aker",
    "Bydel Nordstrand",
    "Bydel Sagene",
    "Bydel St. Hanshaugen",
    "Bydel Stovner",
    "Bydel Søndre Nordstrand",
    "Bydel Ullern",
    "Bydel Vestre Aker",
    "Bydel Østensjø",
    "Helseetaten",
    "Sykehjemsetaten",
    "Utdanningsetaten",
    "Bymiljøetaten",
    "Velferdsetaten",
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


@dataclass
class Unit:
    id: int
    path: str
    depth: int
    name: str
    municipality_id: int
    children: list[Unit] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CourseInfo:
    id: int
    modules: list[tuple[int, bool, bool]]  # (id, required, completed by quiz)
    quiz: dict  # module id -> (snapshot json, [order json], right answers)


class Ids:
    """Primary keys allocated up front, after whatever the tables already hold."""

    def __init__(self, model):
        self.next = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _write(model, columns: list[str], rows, *, batch: int = 20_000) -> int:
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

    def adapt(value):
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from our own models, never from input; values are bound.
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608  # nosec B608
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(tuple(adapt(v) for v in row))
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


class Command(BaseCommand):
    help = (
        "Generate a deterministic data set at municipal scale: Oslo-sized tree, learning paths, "
        "assignments, ~1M module progress rows and ~200k quiz attempts. Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--employees", type=int, default=50_000, help="Oslo's employees")
        parser.add_argument(
            "--other-employees",
            type=int,
            default=24,
            help="Mean number of employees in each of the other 356 municipalities",
        )
        parser.add_argument("--progress", type=int, default=1_000_000)
        parser.add_argument("--attempts", type=int, default=200_000)
        parser.add_argument(
            "--extra-courses", type=int, default=6, help="Copies of the starter courses to add"
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="The date the data is relative to (default: today)",
        )

    def handle(self, *args, **options):
        if User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            raise CommandError(
                f"Scale data is already in this database (users @{EMAIL_DOMAIN}). "
                "Generate it into a fresh database (migrate, seed_demo, generate_scale_data)."
            )
        catalog = CatalogPage.objects.first()
        if catalog is None or not Municipality.objects.filter(number=OSLO).exists():
            raise CommandError("Run `manage.py seed_demo` first (catalogue, municipalities).")
        started = time.monotonic()
        self.rng = random.Random(options["seed"])
        self.today = options["today"] or timezone.localdate()
        self.now = timezone.make_aware(dt.datetime.combine(self.today, dt.time(12, 0)))
        self.verbosity = options["verbosity"]
        with transaction.atomic():
            courses = self._courses(catalog, options["extra_courses"])
            paths = self._paths(courses)
            counts = self._people_and_learning(courses, paths, options)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The rows were written in bulk, past the services: HR's roll-up is built from them.
        rollup_started = time.monotonic()
        for municipality in Municipality.objects.order_by("pk"):
            rollup_rebuild(municipality=municipality)
        counts["rollup_seconds"] = round(time.monotonic() - rollup_started, 1)
        counts["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(
            "Scale data generated: " + ", ".join(f"{key} {value}" for key, value in counts.items())
        )

    def _log(self, text: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(text)

    # --- Content -------------------------------------------------------------------------

    def _courses(self, catalog, extra: int) -> list[CourseInfo]:
        """The live courses, after adding `extra` cheap copies of the starter courses (their
        quiz module moved last, as in a course that ends with a test)."""
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
            quiz = {}
            for module in modules:
                if module.has_quiz:
                    snapshot = grading.draw_questions(
                        module.quiz_groups(), asked_before={}, seed=module.pk
                    )
                    orders = [
                        json.dumps(grading.shuffled_order(snapshot, seed=n)) for n in range(4)
                    ]
                    right = {
                        q["id"]: [c["id"] for c in q["choices"] if c.get("correct")]
                        for q in snapshot
                    }
                    quiz[module.pk] = (json.dumps(snapshot), orders, right, module.pass_mark)
            result.append(
                CourseInfo(
                    id=course.pk,
                    modules=[(m.pk, m.required, m.completion == "quiz") for m in modules],
                    quiz=quiz,
                )
            )
        return result

    def _paths(self, courses: list[CourseInfo]) -> list[tuple[int, list[int], list[int], int]]:
        """Ten learning paths: the demo path plus nine more. (id, courses, required, months)"""
        pages = {c.pk: c for c in CoursePage.objects.filter(pk__in=[c.id for c in courses])}
        ids = [c.id for c in courses]
        for number in range(1, 10):
            if LearningPath.objects.filter(slug=f"skala-lop-{number}").exists():
                continue
            chosen = self.rng.sample(ids, min(len(ids), self.rng.randint(2, 4)))
            learning_path_create(
                slug=f"skala-lop-{number}",
                title=f"Læringsløp {number}: {pages[chosen[0]].title}",
                description="Generert for ytelsesmåling.",
                courses=[(pages[pk], i < 2) for i, pk in enumerate(chosen)],
                validity_months=self.rng.choice([None, None, 12, 24]),
            )
        result = []
        for path in LearningPath.objects.order_by("pk").prefetch_related("path_courses")[:10]:
            items = sorted(path.path_courses.all(), key=lambda item: item.sort_order)
            result.append(
                (
                    path.pk,
                    [i.course_id for i in items if i.course_id in pages],
                    [i.course_id for i in items if i.required and i.course_id in pages],
                    path.validity_months or 0,
                )
            )
        return result

    # --- Org trees -----------------------------------------------------------------------

    def _tree(self, municipality_id: int, employees: int, deep: bool, ids: Ids, roots: list):
        """Build a municipality's units; sibling names sorted, paths computed directly."""
        rng = self.rng
        step = OrgUnit.steplen

        def children(parent: Unit | None, names: list[str], depth: int) -> list[Unit]:
            made = []
            for name in sorted(set(names)):
                if parent is None:
                    roots.append(None)
                    path = OrgUnit._int2str(len(roots)).rjust(step, "0")
                else:
                    number = len(parent.children) + 1
                    path = parent.path + OrgUnit._int2str(number).rjust(step, "0")
                unit = Unit(ids.take(), path, depth, name, municipality_id)
                if parent is not None:
                    parent.children.append(unit)
                made.append(unit)
            return made

        if not deep:
            sectors = children(None, rng.sample(SMALL_SECTORS, rng.randint(2, 3)), 1)
            for sector in sectors:
                words = [f"{sector.name.split()[-1].capitalize()} {k}" for k in range(1, 4)]
                children(sector, words[: rng.randint(1, 3)], 2)
            return sectors
        # Oslo: about 20 employees per team, fan-out from the size; 4 or 5 levels deep.
        leaves = max(8, employees // 20)
        fan = max(2, round((leaves / 1.6) ** 0.25))
        sectors = children(None, OSLO_SECTORS[: min(len(OSLO_SECTORS), fan + 3)], 1)
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
                            children(
                                team, [f"{team.name} {c}" for c in "ABC"[: rng.randint(2, 3)]], 5
                            )
        return sectors

    # --- People, assignments and learning ---------------------------------------------------

    def _people_and_learning(self, courses, paths, options) -> dict:
        rng = self.rng
        today, now = self.today, self.now
        by_course = {c.id: c for c in courses}
        course_ids = [c.id for c in courses]
        password = make_password(PASSWORD)  # one hash for everyone: hashing is the slow part
        unit_ids, user_ids = Ids(OrgUnit), Ids(User)
        member_ids, assignment_ids = Ids(Membership), Ids(Assignment)
        person_ids, enrolment_ids = Ids(AssignmentPerson), Ids(Enrolment)
        progress_ids, attempt_ids = Ids(ModuleProgress), Ids(QuizAttempt)
        last_root = OrgUnit.get_last_root_node()
        roots: list = [None] * (OrgUnit._str2int(last_root.path) if last_root else 0)

        user_rows, member_rows = [], []
        assignment_rows, person_rows, enrol_rows = [], [], []
        progress_rows, attempt_rows = [], []
        # Per user: set of (course id) to enrol in, and source.
        municipalities = list(Municipality.objects.order_by("number").values_list("pk", "number"))
        all_units: list[Unit] = []
        plan = []  # (user id, municipality id, {course: source}, is power learner)
        for muni_id, number in municipalities:
            deep = number == OSLO
            size = (
                options["employees"]
                if deep
                else max(1, round(options["other_employees"] * rng.uniform(0.5, 1.5)))
            )
            sectors = self._tree(muni_id, size, deep, unit_ids, roots)
            units = [u for s in sectors for u in s.walk()]
            all_units.extend(units)
            leaves = [u for u in units if not u.children]
            inner = [u for u in units if u.children]
            # HR first, then the employees; 85 % sit in teams, the rest higher up.
            hr_id = user_ids.take()
            user_rows.append(self._user(hr_id, f"hr-{number}@{EMAIL_DOMAIN}", password))
            member_rows.append(
                (member_ids.take(), hr_id, muni_id, inner[0].id if inner else None, True, True, now)
            )
            members: dict[int, list[int]] = defaultdict(list)  # unit id -> user ids
            for i in range(size):
                uid = user_ids.take()
                unit = (
                    rng.choice(leaves) if (rng.random() < 0.85 or not inner) else rng.choice(inner)
                )
                user_rows.append(self._user(uid, f"{number}-{i:05d}@{EMAIL_DOMAIN}", password))
                member_rows.append((member_ids.take(), uid, muni_id, unit.id, True, False, now))
                members[unit.id].append(uid)
            # Assignments: one path to the whole municipality (each sector), more in Oslo.
            wanted = defaultdict(dict)  # user -> {course: source}
            targets = [
                (paths[rng.randrange(len(paths))] if not deep else paths[0], s) for s in sectors
            ]
            if deep:
                for path in paths[1:5]:
                    targets.append((path, rng.choice([u for u in units if u.depth <= 2])))
            for path, unit in targets:
                aid = assignment_ids.take()
                due = today + dt.timedelta(days=rng.randint(-60, 120))
                assignment_rows.append(
                    (
                        aid,
                        muni_id,
                        path[0],
                        None,
                        "unit",
                        unit.id,
                        True,
                        "",
                        due,
                        None,
                        hr_id,
                        now - dt.timedelta(days=90),
                        None,
                    )
                )
                for sub in unit.walk():
                    for uid in members.get(sub.id, ()):
                        person_rows.append(
                            [
                                person_ids.take(),
                                aid,
                                uid,
                                due,
                                now - dt.timedelta(days=90),
                                None,
                                None,
                                1,
                                path,
                            ]
                        )
                        for course in path[1]:
                            wanted[uid][course] = "assignment"
            for uid in sorted({u for ids in members.values() for u in ids}):
                extra = rng.sample(course_ids, rng.randint(1, min(5, len(course_ids))))
                for course in extra:
                    wanted[uid].setdefault(course, "self")
            first = min((u for ids in members.values() for u in ids), default=None)
            for uid in sorted(wanted):
                choice = wanted[uid]
                if deep and uid == first:  # the learner with many enrolments, for «Min læring»
                    choice = {c: choice.get(c, "self") for c in course_ids}
                plan.append((uid, muni_id, choice))
        self._log(f"{len(user_rows)} users, {len(all_units)} units, {len(plan)} learners")

        # Enrolments first, then how far each got: done modules are a prefix of the course,
        # complete with probability p so that the total lands near --progress.
        slots = sum(len(by_course[c].modules) for _u, _m, choice in plan for c in choice)
        average = slots / max(1, sum(len(choice) for _u, _m, choice in plan))
        # Expected per enrolment: p*n + (1-p)*(n-1)/2  ->  solve for the target.
        share = min(1.0, options["progress"] / max(1, slots))
        p_full = max(
            0.0, min(1.0, (share * average - (average - 1) / 2) / (average - (average - 1) / 2))
        )
        done_total = 0
        quiz_events = []  # (enrolment, module, course, last moment, done by a pass)
        completed_at: dict[tuple[int, int], dt.datetime] = {}
        for uid, muni_id, choice in plan:
            for course_id, source in sorted(choice.items()):
                course = by_course[course_id]
                modules = course.modules
                n = len(modules)
                full = rng.random() < p_full
                # A learner part of the way often reads on past a quiz they have not passed.
                skip_quiz = not full and rng.random() < 0.8
                wanted = n if full else rng.randint(0, max(0, n - 1))
                room = max(0, options["progress"] - done_total)
                chosen = [m for m in modules if not (skip_quiz and m[2])][: min(wanted, room)]
                done = len(chosen)
                done_total += done
                eid = enrolment_ids.take()
                created = now - dt.timedelta(days=rng.randint(20, 400), minutes=rng.randint(0, 600))
                moment = created
                last_module = None
                for module_id, _required, by_quiz in chosen:
                    moment = min(
                        now - dt.timedelta(hours=1),
                        moment + dt.timedelta(hours=rng.randint(2, 240)),
                    )
                    if by_quiz:
                        quiz_events.append((eid, module_id, course, moment, True))
                    progress_rows.append((progress_ids.take(), eid, module_id, moment))
                    last_module = module_id
                done_ids = {m[0] for m in chosen}
                for module_id, _required, by_quiz in modules:
                    if by_quiz and module_id not in done_ids:
                        quiz_events.append((eid, module_id, course, moment, False))
                complete = done == n and n > 0
                finished = moment if complete else None
                if complete:
                    completed_at[(uid, course_id)] = moment
                enrol_rows.append(
                    (
                        eid,
                        uid,
                        muni_id,
                        course_id,
                        source,
                        "completed" if complete else "active",
                        last_module,
                        created,
                        finished,
                    )
                )
        # Quiz attempts: a passed one for every module done by quiz (they must exist), and
        # failed ones (before a pass, or on a quiz not passed yet) up to about --attempts.
        passed = sum(1 for event in quiz_events if event[4])
        failed_share = max(0, options["attempts"] - passed) / max(1, len(quiz_events))
        for eid, module_id, course, moment, done in quiz_events:
            failed = rng.random() < failed_share
            if done or failed:
                attempt_rows.extend(
                    self._attempts(attempt_ids, eid, module_id, course, moment, failed, done)
                )
        # An assigned person is complete once every required course of the path is.
        for row in person_rows:
            path = row.pop()
            uid, required, months = row[2], path[2] or path[1], path[3]
            stamps = [completed_at.get((uid, c)) for c in required]
            if stamps and all(stamps):
                row[5] = max(stamps)
                if months:
                    row[6] = (max(stamps) + dt.timedelta(days=round(months * 30.4))).date()

        started = time.monotonic()
        written = {}
        written["org_units"] = _write(
            OrgUnit,
            ["id", "path", "depth", "numchild", "municipality_id", "name"],
            (
                (u.id, u.path, u.depth, len(u.children), u.municipality_id, u.name)
                for u in all_units
            ),
        )
        written["users"] = _write(
            User,
            [
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
            user_rows,
        )
        written["memberships"] = _write(
            Membership,
            [
                "id",
                "user_id",
                "municipality_id",
                "org_unit_id",
                "is_learner",
                "is_hr",
                "created_at",
            ],
            member_rows,
        )
        written["assignments"] = _write(
            Assignment,
            [
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
            assignment_rows,
        )
        written["assigned_people"] = _write(
            AssignmentPerson,
            [
                "id",
                "assignment_id",
                "user_id",
                "due_date",
                "added_at",
                "completed_at",
                "expires_on",
                "cycle",
            ],
            (tuple(row) for row in person_rows),
        )
        written["enrolments"] = _write(
            Enrolment,
            [
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
            enrol_rows,
        )
        written["module_progress"] = _write(
            ModuleProgress, ["id", "enrolment_id", "module_id", "done_at"], progress_rows
        )
        written["quiz_attempts"] = _write(
            QuizAttempt,
            [
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
            attempt_rows,
        )
        if connection.vendor == "postgresql":
            statements = connection.ops.sequence_reset_sql(
                no_style(),
                [
                    OrgUnit,
                    User,
                    Membership,
                    Assignment,
                    AssignmentPerson,
                    Enrolment,
                    ModuleProgress,
                    QuizAttempt,
                ],
            )
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        self._log(f"written in {time.monotonic() - started:.1f} s")
        return written

    def _user(self, uid: int, email: str, password: str) -> tuple:
        rng = self.rng
        joined = self.now - dt.timedelta(days=rng.randint(400, 3000))
        return (
            uid,
            password,
            None,
            False,
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            email,
            False,
            True,
            joined,
        )

    def _attempts(self, ids, eid, module_id, course, moment, failed, passed=True):
        """A failed attempt (if `failed`) and then, if `passed`, a passed one."""
        snapshot, orders, right, pass_mark = course.quiz[module_id]
        rows = []
        results = ([False] if failed else []) + ([True] if passed else [])
        for number, ok in enumerate(results, start=1):
            answers = {
                qid: ids_ if ok or i else ["x"] for i, (qid, ids_) in enumerate(right.items())
            }
            score = 100 if ok else round(100 * (len(right) - 1) / max(1, len(right)))
            at = moment - dt.timedelta(minutes=30 * (len(results) - number) + 5)
            rows.append(
                (
                    ids.take(),
                    eid,
                    module_id,
                    number,
                    "submitted",
                    snapshot,
                    orders[(eid + number) % len(orders)],
                    pass_mark,
                    json.dumps(answers),
                    score,
                    ok,
                    at - dt.timedelta(minutes=10),
                    at,
                )
            )
        return rows
