"""Forms for HR: assign, import employees, reminder settings, report filters."""

from django import forms
from django.core.validators import validate_email
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, LearningPath
from courses.translations import source_pages
from learners.models import Assignment, Membership, MunicipalitySettings, OrgUnit, User
from learners.selectors.reports import STATUSES

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # 5,000 rows of a few dozen characters fit many times

ROLE_CHOICES = [
    ("learner", _("Learners")),
    ("hr", _("HR")),
    ("manager", _("Unit managers")),
]


def _unit_choices(units) -> list[tuple[int, str]]:
    return [(unit.pk, "— " * (unit.depth - 1) + unit.name) for unit in units]


class PlainSelect(forms.Select):
    """A select written in one pass, each option a plain string, instead of one widget
    template per option: a large municipality has thousands of units in its filter. Label,
    id and ARIA attributes come from the form as for any select."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = "".join(
            f'<option value="{escape(str(key))}"'
            f"{' selected' if str(key) in selected else ''}>{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308  # nosec B308 B703 - every value and label escaped above


class ReportFilterForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=_("Unit"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    item = forms.ChoiceField(label=_("Learning path or course"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    due_before = forms.DateField(
        label=_("Due on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, items, **kwargs):
        """`units`: (id, name, depth) of the units to offer, in tree order."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [
            (pk, "— " * (depth - 1) + name) for pk, name, depth in units
        ]
        self.fields["item"].choices = [("", _("All"))] + list(items)
        self.fields["status"].choices = [("", _("All"))] + list(STATUSES.items())


class AssignmentForm(forms.Form):
    item = forms.ChoiceField(label=_("Learning path or course"))
    target = forms.ChoiceField(
        label=_("Assign to"), choices=Assignment.Target.choices, widget=forms.RadioSelect
    )
    people = forms.CharField(
        label=_("People (one e-mail address per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    org_unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    include_subunits = forms.BooleanField(
        label=_("Include sub-units"), required=False, initial=True
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *ROLE_CHOICES])
    due_date = forms.DateField(
        label=_("Fixed due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_days = forms.IntegerField(
        label=_("Or: due this many days after the person is added"),
        required=False,
        min_value=1,
        max_value=3650,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        paths = [(f"p{p.pk}", p.title) for p in LearningPath.objects.all()]
        courses = [
            (f"c{c.pk}", c.title) for c in source_pages(CoursePage.objects.live()).order_by("title")
        ]
        self.fields["item"].choices = [
            ("", _("Choose a learning path or course")),
            (_("Learning paths"), paths),
            (_("Courses"), courses),
        ]
        self.units = {
            u.pk: u for u in OrgUnit.objects.filter(municipality=municipality).order_by("path")
        }
        self.fields["org_unit"].choices = [("", "—")] + _unit_choices(self.units.values())

    def clean(self):
        data = super().clean()
        item = data.get("item", "")
        data["learning_path"] = (
            LearningPath.objects.filter(pk=item[1:]).first() if item.startswith("p") else None
        )
        data["course"] = (
            CoursePage.objects.filter(pk=item[1:]).first() if item.startswith("c") else None
        )
        if data.get("due_date") and data.get("due_days"):
            raise forms.ValidationError(_("Give either a fixed due date or a number of days."))
        target = data.get("target")
        if target == Assignment.Target.UNIT and data.get("org_unit") not in self.units:
            self.add_error("org_unit", _("Choose a unit."))
        if target == Assignment.Target.UNIT and data.get("org_unit") in self.units:
            data["org_unit"] = self.units[data["org_unit"]]
        if target == Assignment.Target.ROLE and not data.get("role"):
            self.add_error("role", _("Choose a role."))
        if target == Assignment.Target.PEOPLE:
            data["people"] = self._people(data.get("people", ""))
        return data

    def _people(self, text: str) -> list[User]:
        emails = {line.strip().lower() for line in text.splitlines() if line.strip()}
        if not emails:
            self.add_error("people", _("Give at least one e-mail address."))
            return []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                self.add_error("people", _("Not an e-mail address: %(email)s") % {"email": email})
                return []
        members = Membership.objects.filter(municipality=self.municipality, user__email__in=emails)
        users = list(User.objects.filter(pk__in=members.values("user_id")))
        missing = emails - {u.email for u in users}
        if missing:
            self.add_error(
                "people",
                _("Not members of your municipality: %(emails)s")
                % {"emails": ", ".join(sorted(missing))},
            )
        return users


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Columns: navn, e-post, enhet, rolle, leder-e-post (optional)."),
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)
    create_units = forms.BooleanField(label=_("Create units that do not exist"), required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            self.add_error("file", _("The file is too large (at most 2 MB)."))
            return data
        if upload:
            try:
                data["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(_("The file must be UTF-8 encoded CSV.")) from error
        if not data.get("csv_text"):
            self.add_error("file", _("Choose a CSV file."))
        return data


class MunicipalitySettingsForm(forms.ModelForm):
    class Meta:
        model = MunicipalitySettings
        fields = [
            "language",
            "reminders_enabled",
            "remind_days_before",
            "overdue_reminders",
            "hr_digest",
            "retention_months",
        ]
