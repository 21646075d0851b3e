"""HR numbers kept current as progress is written: per municipality, unit (with everything
below it), learning path or course, and status, how many assigned people there are. The
dashboard reads a few hundred of these rows instead of grouping every assigned person.

ProgressRollupEntry is what one assigned person adds to the counts right now (their status
and the units they are counted in), so a change can take back exactly what was added. Both
are written only by learners.services.rollups, and `manage.py rebuild_rollups` recomputes
them from scratch."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The unit key of the row that counts a whole municipality (people with and without a unit).
WHOLE_MUNICIPALITY = 0


class ProgressRollup(models.Model):
    """The number of assigned people in one unit's subtree, for one path or course, in one
    status. `unit_key` is the OrgUnit id, or WHOLE_MUNICIPALITY."""

    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    unit_key = models.PositiveIntegerField()
    item = models.CharField(max_length=16)  # "p<learning path id>" or "c<course id>"
    status = models.CharField(max_length=16)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("progress roll-up")
        verbose_name_plural = _("progress roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "unit_key", "item", "status"], name="rollup_key_once"
            )
        ]

    def __str__(self):
        return f"{self.municipality_id}/{self.unit_key}/{self.item}/{self.status}: {self.count}"


class ProgressRollupEntry(models.Model):
    """What one assigned person (an AssignmentPerson, by id) adds to the roll-up: one in
    `status` for `item` in each unit of `unit_keys` (their unit, its ancestors and the whole
    municipality). Plain ids, no foreign keys: an entry outlives the rows it was computed from
    until the roll-up takes it back in the same transaction."""

    assigned_id = models.PositiveBigIntegerField(unique=True)
    user_id = models.PositiveBigIntegerField(db_index=True)
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    unit_keys = models.JSONField(default=list)
    # Kept to find the people whose status changes with the date alone (overdue, expiring).
    due_date = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("progress roll-up entry")
        verbose_name_plural = _("progress roll-up entries")
        indexes = [models.Index(fields=["municipality", "status", "due_date"])]

    def __str__(self):
        return f"{self.assigned_id}: {self.status}"


class RollupState(models.Model):
    """Per municipality: the day the statuses in the roll-up were computed for (they move
    with the date: overdue, expiring soon). Empty until the first rebuild. Its row is also
    the lock a rebuild takes."""

    municipality = models.OneToOneField(
        "learners.Municipality", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    as_of = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")

    def __str__(self):
        return f"{self.municipality_id}: {self.as_of}"
