"""HR's roll-up kept current by the services: random work (assignments, modules and courses
done, moves between units, leaving and coming back, SCIM deactivation, erasure, due dates,
recertification) compared with a full recount of the rows, on every unit."""

import datetime as dt
import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from courses.models import ModulePage
from learners.lib.scim import PersonData
from learners.models import (
    WHOLE_MUNICIPALITY,
    AssignmentPerson,
    Enrolment,
    Membership,
    OrgUnit,
    ProgressRollup,
    ProgressRollupEntry,
    RollupState,
    ScimPerson,
)
from learners.permissions import HRScope
from learners.selectors.reports import (
    STATUSES,
    Filters,
    counted_rows,
    dashboard,
    dashboard_recount,
    item_key,
)
from learners.services.assignments import (
    assigned_due_date_change,
    assignment_create,
    assignment_end,
    assignment_person_remove,
    assignments_reopen_expired,
)
from learners.services.learning import module_complete
from learners.services.memberships import membership_create
from learners.services.ownership import (
    membership_end,
    membership_restore,
    person_bring_into_municipality,
)
from learners.services.privacy import is_erased, person_erase
from learners.services.rollups import rollup_rebuild, rollup_sweep
from learners.services.scim import scim_person_create, scim_person_replace
from tests.learners.hr_support import course_make, path_make, person, unit

pytestmark = pytest.mark.django_db


def _expected(municipality, today=None) -> Counter:
    """The roll-up recounted from the rows: each counted person in their unit, every unit
    above it and the whole municipality."""
    today = today or timezone.localdate()
    ids = dict(OrgUnit.objects.filter(municipality=municipality).values_list("path", "pk"))
    expected: Counter = Counter()
    for row in counted_rows(today=today, municipality_id=municipality.pk):
        item = item_key(row["assignment__learning_path_id"], row["assignment__course_id"])
        path = row["unit_path"]
        keys = [WHOLE_MUNICIPALITY] + [ids[path[:end]] for end in range(4, len(path) + 1, 4)]
        for key in keys:
            expected[(key, item, row["status"])] += 1
    return expected


def _rollup(municipality) -> Counter:
    rows = ProgressRollup.objects.filter(municipality=municipality).exclude(count=0)
    return Counter(
        {(r.unit_key, r.item, r.status): r.count for r in rows}  # a negative count fails too
    )


def _report(report) -> list:
    return [
        (item.key, item.title, [(r.kind, r.unit, r.counts.by_status) for r in item.rows],
         item.total.by_status)
        for item in report["items"]
    ]  # fmt: skip


def _assert_matches_recount(municipality, *, dashboards: bool = True):
    """Every roll-up row against the recount; and, with `dashboards`, the dashboard of the
    municipality and of each unit (all statuses, and narrowed to one) against the recount's."""
    assert _rollup(municipality) == _expected(municipality)
    if not dashboards:
        return
    scope = HRScope(municipality=municipality, can_edit=True)
    for base in [None, *OrgUnit.objects.filter(municipality=municipality)]:
        for status in ("", "overdue"):
            filters = Filters(unit=base, status=status)
            assert _report(dashboard(scope=scope, filters=filters)) == _report(
                dashboard_recount(scope=scope, filters=filters)
            ), (base, status)


class World:
    """A municipality with a unit tree, courses of two and three modules, a path with a
    validity period, HR, and people in units and without."""

    def __init__(self, kommune, annen, rng: random.Random):
        self.m, self.annen, self.rng = kommune, annen, rng
        self.today = timezone.localdate()
        tops = [unit(kommune, name) for name in ("Helse", "Oppvekst", "Teknisk")]
        self.units = list(tops)
        for top in tops:
            for index in range(2):
                child = unit(kommune, f"{top.name} {index + 1}", parent=top)
                self.units.append(child)
                if index == 0:
                    self.units.append(unit(kommune, f"{child.name} natt", parent=child))
        self.courses = []
        for title, modules in (("Personvern", 2), ("Lean", 3), ("Beredskap", 2)):
            course = course_make(title)
            for n in range(modules - 1):
                course.add_child(instance=ModulePage(title=f"Del {n + 2}", slug=f"del-{n + 2}"))
            self.courses.append(course)
        self.path = path_make(
            "Ledergrunnlag",
            courses=[(self.courses[1], True), (self.courses[2], False)],
            validity_months=1,
        )
        self.hr = person(kommune, None, name="Hanne HR", is_hr=True)
        self.people = [
            person(kommune, rng.choice([*self.units, None]), name=f"Ansatt {n}") for n in range(24)
        ]
        # Two of them work in the other municipality too (counted there, not here).
        for user in self.people[:2]:
            membership_create(user=user, municipality=annen, org_unit=unit(annen, "Annen enhet"))
        self.assignments = []
        self.scim = {}

    def members(self):
        return list(Membership.objects.filter(municipality=self.m).exclude(user=self.hr))

    def due(self):
        return self.today + dt.timedelta(days=self.rng.randint(-5, 20))

    # --- The random steps, each one service call as HR or a learner would make it ----------

    def assign(self, due=None):
        item = self.rng.choice(
            [("course", c) for c in self.courses] + [("learning_path", self.path)]
        )
        target = self.rng.choice(["unit", "people", "role"])
        kwargs = {item[0]: item[1], "due_date": due or self.due()}
        if target == "unit":
            kwargs |= {"org_unit": self.rng.choice(self.units)}
            kwargs["include_subunits"] = self.rng.random() < 0.7
        elif target == "people":
            members = [m.user for m in self.members()]
            kwargs["people"] = self.rng.sample(members, min(len(members), 5))
        else:
            kwargs["role"] = "learner"
        self.assignments.append(
            assignment_create(municipality=self.m, actor=self.hr, target=target, **kwargs)
        )

    def module_done(self):
        enrolments = list(
            Enrolment.objects.filter(municipality=self.m, completed_at__isnull=True)
            .annotate(done=Count("progress"))
            .order_by("-done", "pk")
        )
        if enrolments:
            # Mostly go on with a course already started, as people do: some finish.
            pool = enrolments[:3] if self.rng.random() < 0.6 else enrolments
            enrolment = self.rng.choice(pool)
            modules = list(ModulePage.objects.child_of(enrolment.course).order_by("path"))
            done = set(enrolment.progress.values_list("module_id", flat=True))
            todo = [m for m in modules if m.pk not in done]
            module_complete(enrolment=enrolment, module=todo[0])

    def move(self):
        members = self.members()
        if members:
            membership = self.rng.choice(members)
            membership_create(
                user=membership.user, municipality=self.m, org_unit=self.rng.choice(self.units)
            )

    def leave(self):
        members = self.members()
        if members:
            membership_end(membership=self.rng.choice(members), actor=self.hr, source="hr")

    def come_back(self):
        from learners.models import EndedMembership

        ended = list(EndedMembership.objects.filter(municipality=self.m))
        if ended:
            membership_restore(user=self.rng.choice(ended).user, municipality=self.m)

    def scim_deactivate_or_reactivate(self):
        members = self.members()
        if not members:
            return
        user = self.rng.choice(members).user
        data = {
            "user_name": user.email, "external_id": "", "given_name": user.first_name,
            "family_name": user.last_name, "email": user.email, "emails": [],
            "department": "", "manager_id": "", "enterprise": {},
        }  # fmt: skip
        if user.pk not in self.scim:
            self.scim[user.pk] = scim_person_create(
                municipality=self.m, data=PersonData(active=True, **data)
            )
        person_ = ScimPerson.objects.get(pk=self.scim[user.pk].pk)
        scim_person_replace(person=person_, data=PersonData(active=False, **data))
        if self.rng.random() < 0.5:  # and back again
            person_ = ScimPerson.objects.get(pk=person_.pk)
            scim_person_replace(person=person_, data=PersonData(active=True, **data))

    def newcomer(self):
        # A new account provisioned into a unit (import, SCIM or SSO): the open unit and
        # role assignments that reach it count it as they add it.
        self.joined = getattr(self, "joined", 0) + 1
        person_bring_into_municipality(
            municipality=self.m, email=f"ny{self.joined}@kommune.example", first_name="Ny",
            last_name=f"Ansatt {self.joined}", org_unit=self.rng.choice([*self.units, None]),
            source="scim",
        )  # fmt: skip

    def erase(self):
        members = [
            m for m in self.members() if m.user not in self.people[:2] and not is_erased(m.user)
        ]
        if members:
            person_erase(user=self.rng.choice(members).user, actor=None, reason="retention")

    def due_date_change(self):
        rows = list(AssignmentPerson.objects.filter(assignment__municipality=self.m))
        if rows:
            chosen = self.rng.sample(rows, min(len(rows), 4))
            assigned_due_date_change(
                municipality=self.m, actor=self.hr, assigned=chosen, due_date=self.due()
            )

    def unassign(self):
        if self.rng.random() < 0.3 and self.assignments:
            assignment_end(assignment=self.rng.choice(self.assignments), actor=self.hr)
            return
        rows = list(AssignmentPerson.objects.filter(assignment__municipality=self.m))
        if rows:
            assignment_person_remove(assigned=self.rng.choice(rows), actor=self.hr)

    def recertify(self):
        # Completions of the path expire a month on: reopen them as of two months from now.
        assignments_reopen_expired(today=self.today + dt.timedelta(days=62))


STEPS = [
    ("assign", 4), ("module_done", 10), ("move", 3), ("leave", 2), ("come_back", 2),
    ("scim_deactivate_or_reactivate", 2), ("erase", 1), ("due_date_change", 2),
    ("unassign", 2), ("recertify", 1), ("newcomer", 2),
]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_matches_a_full_recount_after_random_work(
    kommune, annen, seed, django_capture_on_commit_callbacks
):
    rng = random.Random(seed)
    world = World(kommune, annen, rng)
    names, weights = zip(*STEPS, strict=True)
    done: Counter = Counter()
    seen: set[str] = set()
    world.assign(due=timezone.localdate() - dt.timedelta(days=1))  # some overdue from the start
    for step in range(80):
        name = rng.choices(names, weights)[0]
        # After the commit: the course_completed receivers, as in a real request.
        with django_capture_on_commit_callbacks(execute=True):
            getattr(world, name)()
        done[name] += 1
        if step % 10 == 9:
            _assert_matches_recount(kommune, dashboards=step % 30 == 29)
            seen.update(status for (_unit, _item, status) in _rollup(kommune))
    _assert_matches_recount(kommune)
    _assert_matches_recount(annen)
    assert {"not_started", "in_progress", "completed", "overdue"} <= seen  # it did things
    assert len(done) >= 8


def test_the_nightly_sweep_moves_people_into_overdue_and_expiring_soon(
    kommune, annen, django_capture_on_commit_callbacks
):
    world = World(kommune, annen, random.Random(7))
    for _ in range(3):
        world.assign()
    for _ in range(25):
        with django_capture_on_commit_callbacks(execute=True):
            world.module_done()
    rollup_rebuild(municipality=kommune)
    later = timezone.localdate() + dt.timedelta(days=25)
    before = _expected(kommune, later)
    assert _rollup(kommune) != before  # the dates have moved people on by then
    changed = rollup_sweep(municipality=kommune, today=later)
    assert changed > 0
    assert _rollup(kommune) == before
    assert RollupState.objects.get(pk=kommune.pk).as_of == later
    assert rollup_sweep(municipality=kommune, today=later) == 0  # nothing left to move


def _entries() -> set:
    rows = ProgressRollupEntry.objects.values_list("assigned_id", "status", "unit_keys")
    return {(assigned, status, tuple(keys)) for assigned, status, keys in rows}


def test_rebuild_rollups_recomputes_from_scratch_and_is_idempotent(kommune, annen):
    world = World(kommune, annen, random.Random(11))
    for _ in range(3):
        world.assign()
    incremental = _rollup(kommune)
    entries = _entries()
    assert incremental == _expected(kommune)
    # Break it, as a bulk write past the services would: the command puts it right.
    ProgressRollup.objects.filter(municipality=kommune).update(count=99)
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert _rollup(kommune) == incremental
    assert f"{kommune.name} ({kommune.number}): " in out.getvalue()
    call_command("rebuild_rollups", "--municipality", kommune.number, stdout=io.StringIO())
    assert _rollup(kommune) == incremental
    assert _entries() == entries
    assert RollupState.objects.get(pk=kommune.pk).as_of == timezone.localdate()


def test_a_status_filter_and_a_due_date_filter_agree_with_the_recount(kommune, annen):
    world = World(kommune, annen, random.Random(5))
    for _ in range(4):
        world.assign()
    scope = HRScope(municipality=kommune, can_edit=True)
    helse = OrgUnit.objects.get(pk=world.units[0].pk)  # its path moved as units were added
    for status in STATUSES:
        filters = Filters(status=status, unit=helse)
        assert _report(dashboard(scope=scope, filters=filters)) == _report(
            dashboard_recount(scope=scope, filters=filters)
        )
    item = f"p{world.path.pk}"
    filters = Filters(item=item)
    assert [i.key for i in dashboard(scope=scope, filters=filters)["items"]] in ([item], [])
    due = Filters(due_before=timezone.localdate())  # the recount answers this one
    assert _report(dashboard(scope=scope, filters=due)) == _report(
        dashboard_recount(scope=scope, filters=due)
    )


def test_a_deleted_unit_and_a_course_added_to_a_path_are_followed(
    kommune, annen, django_capture_on_commit_callbacks
):
    from courses.models import LearningPathCourse

    world = World(kommune, annen, random.Random(13))
    learner = world.people[5]
    membership_create(user=learner, municipality=kommune, org_unit=world.units[1])
    assignment_create(
        municipality=kommune, actor=world.hr, target="people", learning_path=world.path,
        people=[learner],
    )  # fmt: skip
    # The learner started a course that is not (yet) in the path: not started on the path.
    other = world.courses[0]
    enrolment = Enrolment.objects.get_or_create(
        user=learner, course=other, defaults={"municipality": kommune}
    )[0]
    with django_capture_on_commit_callbacks(execute=True):
        module_complete(enrolment=enrolment, module=ModulePage.objects.child_of(other).first())
    item = f"p{world.path.pk}"
    assert _rollup(kommune)[(WHOLE_MUNICIPALITY, item, "not_started")] == 1
    LearningPathCourse.objects.create(path=world.path, course=other, required=False, sort_order=9)
    assert _rollup(kommune)[(WHOLE_MUNICIPALITY, item, "in_progress")] == 1
    assert _rollup(kommune) == _expected(kommune)
    # An editor deletes the unit (and the one below it) in the admin: no unit now.
    world.units[1].delete()
    assert _rollup(kommune) == _expected(kommune)
    assert ProgressRollupEntry.objects.get(user_id=learner.pk).unit_keys == [WHOLE_MUNICIPALITY]
