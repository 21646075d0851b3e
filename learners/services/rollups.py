"""Keeping HR's numbers current as progress is written (the roll-up in
learners.models.rollups).

Every service that changes what HR counts (an assignment given, ended or removed, a due date,
a module done, a course or an assignment completed, a recertification, a person joining,
moving, leaving or coming back, an erasure) calls `rollup_refresh` for the people it changed,
in its own transaction. The refresh recomputes those people's statuses from the rows
(selectors.reports.counted_rows, the same rules as the recount), compares them with what they
added to the roll-up before (ProgressRollupEntry) and applies the difference as increments
(INSERT ... ON CONFLICT DO UPDATE SET count = count + delta), so nothing is read and written
back and concurrent writers never lose each other's changes.

Why in the same transaction and not through the outbox: HR sees a change the moment it is
committed (an assignment given, a person moved), nothing can be left half counted, and a test
can compare the roll-up with a recount at any point. The price is small: a refresh writes
only when a status changes (the first module of a course, a completion, a move), touches one
row per unit above the person, and takes its locks in one order (the people's rows by id,
then the roll-up rows by key), so two writers wait for each other but never deadlock. A
service that changes many people calls it once, for all of them.

Statuses also move with the date alone (overdue, expiring soon): `rollup_sweep` refreshes
the people whose day has come, every night (a beat task) and, should that not have run, when
HR opens the dashboard (`rollup_make_current`). `rollup_rebuild` (`manage.py
rebuild_rollups`) recomputes a municipality from scratch."""

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from learners.models import (
    WHOLE_MUNICIPALITY,
    AssignmentPerson,
    Municipality,
    OrgUnit,
    ProgressRollup,
    ProgressRollupEntry,
    RollupState,
    User,
)
from learners.selectors.reports import EXPIRING_SOON_DAYS, STEP, counted_rows, item_key

BATCH = 1000  # people per refresh statement; a rebuild writes in batches of this size too

Key = tuple[int, int, str, str]  # municipality id, unit key, item, status


@dataclass(frozen=True)
class _Counted:
    """What one assigned person adds to the roll-up."""

    user_id: int
    municipality_id: int
    item: str
    status: str
    unit_keys: tuple[int, ...]
    due_date: dt.date | None
    expires_on: dt.date | None

    def keys(self) -> list[Key]:
        return [(self.municipality_id, unit, self.item, self.status) for unit in self.unit_keys]


def _unit_keys(paths: set[str]) -> dict[str, tuple[int, ...]]:
    """For each unit path: the whole municipality, then the unit's ancestors and the unit."""
    prefixes = {path[:end] for path in paths for end in range(STEP, len(path) + 1, STEP)}
    ids = dict(OrgUnit.objects.filter(path__in=prefixes).values_list("path", "pk"))
    return {
        path: (
            WHOLE_MUNICIPALITY,
            *(ids[path[:end]] for end in range(STEP, len(path) + 1, STEP) if path[:end] in ids),
        )
        for path in paths
    }


def _counted(rows: list[dict]) -> dict[int, _Counted]:
    """Assigned person id -> what they add, from counted_rows."""
    keys = _unit_keys({row["unit_path"] for row in rows})
    return {
        row["id"]: _Counted(
            user_id=row["user_id"],
            municipality_id=row["assignment__municipality_id"],
            item=item_key(row["assignment__learning_path_id"], row["assignment__course_id"]),
            status=row["status"],
            unit_keys=keys[row["unit_path"]],
            due_date=row["due_date"],
            expires_on=row["expires_on"],
        )
        for row in rows
    }


def _entry(assigned_id: int, counted: _Counted) -> ProgressRollupEntry:
    return ProgressRollupEntry(
        assigned_id=assigned_id,
        user_id=counted.user_id,
        municipality_id=counted.municipality_id,
        item=counted.item,
        status=counted.status,
        unit_keys=list(counted.unit_keys),
        due_date=counted.due_date,
        expires_on=counted.expires_on,
    )


def _recorded(entry: ProgressRollupEntry) -> _Counted:
    return _Counted(
        user_id=entry.user_id,
        municipality_id=entry.municipality_id,
        item=entry.item,
        status=entry.status,
        unit_keys=tuple(entry.unit_keys),
        due_date=entry.due_date,
        expires_on=entry.expires_on,
    )


def _increment(deltas: Counter) -> None:
    """Add each delta to its roll-up row (created at the delta if missing), in key order."""
    changes = sorted((key, n) for key, n in deltas.items() if n)
    table = connection.ops.quote_name(ProgressRollup._meta.db_table)
    for start in range(0, len(changes), 500):
        chunk = changes[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = [value for (key, n) in chunk for value in (*key, n)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (municipality_id, unit_key, item, status, count) "  # noqa: S608  # nosec B608 - the table name is ours, every value a parameter
                f"VALUES {values} ON CONFLICT (municipality_id, unit_key, item, status) "
                f"DO UPDATE SET count = {table}.count + EXCLUDED.count",
                params,
            )


def _lock_people(user_ids: list[int]) -> None:
    """Serialise refreshes of the same people (rows locked in id order: no deadlocks)."""
    list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk"))


@transaction.atomic
def rollup_refresh(*, user_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Bring what `user_ids` add to the roll-up in line with their rows now (in every
    municipality they are assigned in). Returns how many assigned people changed."""
    today = today or timezone.localdate()
    ids = sorted(set(user_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        changed += _refresh_batch(ids[start : start + BATCH], today)
    return changed


def _refresh_batch(user_ids: list[int], today: dt.date) -> int:
    _lock_people(user_ids)
    now = _counted(list(counted_rows(today=today, user_ids=user_ids)))
    before = {
        entry.assigned_id: entry
        for entry in ProgressRollupEntry.objects.filter(user_id__in=user_ids)
    }
    deltas: Counter = Counter()
    gone, fresh = [], []
    for assigned_id in before.keys() | now.keys():
        old = before.get(assigned_id)
        old_counted = _recorded(old) if old is not None else None
        new = now.get(assigned_id)
        if old_counted == new:
            continue
        if old_counted is not None:
            deltas.subtract(old_counted.keys())
            gone.append(assigned_id)
        if new is not None:
            deltas.update(new.keys())
            fresh.append(_entry(assigned_id, new))
    if gone:
        ProgressRollupEntry.objects.filter(assigned_id__in=gone).delete()
    ProgressRollupEntry.objects.bulk_create(fresh)
    _increment(deltas)
    return len(set(gone) | {entry.assigned_id for entry in fresh})


def rollup_refresh_path(*, learning_path_id: int) -> int:
    """A course added to a path or taken out of it: who has started the path may change."""
    people = AssignmentPerson.objects.filter(
        assignment__learning_path_id=learning_path_id, assignment__ended_at__isnull=True
    )
    return rollup_refresh(user_ids=people.values_list("user_id", flat=True))


@transaction.atomic
def rollup_rebuild(*, municipality: Municipality, today: dt.date | None = None) -> int:
    """Recompute `municipality`'s roll-up from its rows (idempotent); returns the number of
    people counted. Concurrent refreshes of its people wait for it (their rows are locked)."""
    today = today or timezone.localdate()
    RollupState.objects.get_or_create(municipality=municipality)
    state = RollupState.objects.select_for_update().get(pk=municipality.pk)
    assigned_users = AssignmentPerson.objects.filter(assignment__municipality=municipality).values(
        "user_id"
    )
    entry_users = ProgressRollupEntry.objects.filter(municipality=municipality).values("user_id")
    list(
        User.objects.select_for_update()
        .filter(Q(pk__in=assigned_users) | Q(pk__in=entry_users))
        .order_by("pk")
        .values_list("pk")
    )
    ProgressRollupEntry.objects.filter(municipality=municipality).delete()
    ProgressRollup.objects.filter(municipality=municipality).delete()
    now = _counted(list(counted_rows(today=today, municipality_id=municipality.pk)))
    totals: Counter = Counter()
    for counted in now.values():
        totals.update(counted.keys())
    entries = (_entry(assigned_id, counted) for assigned_id, counted in now.items())
    while batch := list(itertools.islice(entries, BATCH)):
        ProgressRollupEntry.objects.bulk_create(batch)
    ProgressRollup.objects.bulk_create(
        (
            ProgressRollup(
                municipality_id=key[0], unit_key=key[1], item=key[2], status=key[3], count=n
            )
            for key, n in sorted(totals.items())
        ),
        batch_size=BATCH,
    )
    state.as_of = today
    state.save(update_fields=["as_of"])
    return len(now)


def rollup_sweep(*, municipality: Municipality, today: dt.date | None = None) -> int:
    """The statuses that move with the date: people whose due date has passed become overdue,
    completions whose validity ends within EXPIRING_SOON_DAYS become expiring soon. Returns how
    many assigned people changed; the roll-up is then as of `today`."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRING_SOON_DAYS)
    with transaction.atomic():
        RollupState.objects.get_or_create(municipality=municipality)
        state = RollupState.objects.select_for_update().get(pk=municipality.pk)
        if state.as_of is None:
            return rollup_rebuild(municipality=municipality, today=today)
        due = (
            ProgressRollupEntry.objects.filter(municipality=municipality)
            .filter(
                Q(status__in=["in_progress", "not_started"], due_date__lt=today)
                | Q(status="completed", expires_on__lte=soon)
            )
            .values_list("user_id", flat=True)
            .distinct()
        )
        changed = rollup_refresh(user_ids=list(due), today=today)
        state.as_of = today
        state.save(update_fields=["as_of"])
    return changed


def rollup_sweep_all(*, today: dt.date | None = None) -> int:
    """The nightly sweep, for every municipality the roll-up holds that is not yet as of
    `today` (a municipality never built is built the first time its dashboard is opened)."""
    today = today or timezone.localdate()
    stale = RollupState.objects.filter(as_of__lt=today).values_list("pk", flat=True)
    changed = 0
    for municipality in Municipality.objects.filter(pk__in=list(stale)).order_by("pk"):
        changed += rollup_sweep(municipality=municipality, today=today)
    return changed


def rollup_make_current(*, municipality: Municipality) -> None:
    """Before HR reads the roll-up: build it the first time, sweep it if the nightly sweep
    has not run today. One query when it is current."""
    as_of = RollupState.objects.filter(pk=municipality.pk).values_list("as_of", flat=True).first()
    today = timezone.localdate()
    if as_of is None:
        rollup_rebuild(municipality=municipality, today=today)
    elif as_of < today:
        rollup_sweep(municipality=municipality, today=today)
