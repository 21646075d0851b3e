"""Who learns, where they work, and how far they got. Municipality is the tenant root."""

import csv
import functools
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from learners.validators import validate_no_identity_number


class UserManager(BaseUserManager):
    use_in_migrations = True
    # `User.objects.get(pk=id)` as a prepared query (learners.lib.prepared), set by
    # learners.apps when the app is ready.
    by_pk = None

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get(self, *args, **kwargs):
        """`User.objects.get(pk=id)`, which Django's authentication backends run on every
        signed-in request, as a prepared query (learners.lib.prepared); any other lookup, and
        the historical models of migrations, as Django does it."""
        if (
            self.by_pk is not None
            and self.model is User
            and self._db in (None, "default")  # the prepared query reads the default database
            and not args
            and kwargs.keys() == {"pk"}
        ):
            pk = kwargs["pk"]
            if type(pk) is int:
                found = self.by_pk.rows(pk)
                if not found:
                    raise User.DoesNotExist("User matching query does not exist.")
                return found[0]
        return super().get(*args, **kwargs)


class User(AbstractUser):
    """A person who logs in with their e-mail address. No national identity number, ever."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_no_identity_number]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_no_identity_number]
    )
    # The language the person picked; empty means the written standard of their municipality.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        default="",
        db_default="",
        choices=settings.LANGUAGES,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class Municipality(models.Model):
    """A Norwegian kommune, identified by its official four-digit number."""

    number = models.CharField(_("municipality number"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=120)
    county_number = models.CharField(_("county number"), max_length=2)
    county_name = models.CharField(_("county"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name, with the county when another municipality has the same name
        (Herøy in Nordland and in Møre og Romsdal)."""
        if self.name in shared_municipality_names():
            return f"{self.name} ({self.county_name})"
        return self.name


MUNICIPALITIES_CSV = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


@functools.cache
def shared_municipality_names() -> frozenset[str]:
    """Names that more than one Norwegian municipality has, from the official list the
    municipalities are loaded from."""
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    return frozenset(name for name in names if names.count(name) > 1)


class OrgUnit(MP_Node):
    """A sector, unit or department inside one municipality; a tree of any depth."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="org_units"
    )
    name = models.CharField(_("name"), max_length=200)

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [models.Index(fields=["municipality", "path"])]

    def __str__(self):
        return self.name

    def path_names(self) -> list[str]:
        """Names from the top of the tree down to this unit."""
        return [unit.name for unit in self.get_ancestors()] + [self.name]


class Membership(models.Model):
    """A user's place in one municipality: their unit and their roles there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("org unit"),
    )
    is_learner = models.BooleanField(_("learner"), default=True)
    is_hr = models.BooleanField(_("HR"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_membership_per_municipality"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.municipality}"
