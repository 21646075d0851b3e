"""Forms of single sign-on: pick the municipality (or give the e-mail address), prove the
old password before a provider is linked to an account, choose the unit."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learners.models import Municipality, OrgUnit


class MunicipalityPickForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="number",
        required=False,
        empty_label=_("Choose your municipality"),
        help_text=_("Type to search."),
    )
    email = forms.EmailField(
        label=_("Or your work e-mail address"),
        required=False,
        help_text=_("We find your municipality from the address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].widget.attrs.update(
            {"data-municipality-picker": "", "data-search-label": _("Search for municipality")}
        )
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    def clean(self):
        data = super().clean()
        if not data.get("municipality") and not data.get("email"):
            raise forms.ValidationError(_("Choose your municipality or give your e-mail address."))
        return data


class LinkPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your Endra password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code from the e-mail"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )


class UnitPickForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Your unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(municipality=municipality).order_by("path")
        field = self.fields["org_unit"]
        field.queryset = units
        field.label_from_instance = lambda u: f"{'– ' * (u.depth - 1)}{u.name}"
