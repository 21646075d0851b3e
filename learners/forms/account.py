"""Forms for the account: sign-up (allauth's ACCOUNT_SIGNUP_FORM_CLASS) and the unit on the
profile."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from learners.models import Municipality, OrgUnit
from learners.services.memberships import membership_create
from learners.validators import validate_no_identity_number


class SignupForm(forms.Form):
    """Extra sign-up fields: who you are and where you work."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[validate_no_identity_number]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=[validate_no_identity_number]
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="number",
        empty_label=_("Choose your municipality"),
        help_text=_("Type to search. You can belong to more municipalities later."),
    )
    org_unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Choose later"),
        help_text=_("Your unit, sector or department. You can change it on your profile."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].widget.attrs.update(
            {"data-municipality-picker": "", "data-search-label": _("Search for municipality")}
        )
        self.fields["org_unit"].widget.attrs["data-units-url"] = reverse(
            "learners:municipality_units", args=["0000"]
        )
        number = self.data.get("municipality") if self.is_bound else None
        if number:
            self.fields["org_unit"].queryset = OrgUnit.objects.filter(
                municipality__number=number
            ).order_by("path")

    def clean(self):
        cleaned = super().clean()
        unit, municipality = cleaned.get("org_unit"), cleaned.get("municipality")
        if unit and municipality and unit.municipality_id != municipality.pk:
            self.add_error("org_unit", _("That unit does not belong to the chosen municipality."))
        return cleaned

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        membership_create(
            user=user,
            municipality=self.cleaned_data["municipality"],
            org_unit=self.cleaned_data.get("org_unit"),
            actor=user,
        )


class ProfileUnitForm(forms.Form):
    """Pick your unit in one of your municipalities."""

    org_unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(
            municipality=municipality
        ).order_by("path")
        self.fields["org_unit"].label_from_instance = lambda unit: " › ".join(unit.path_names())
