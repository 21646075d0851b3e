"""Forms for change in practice: the plan with its steps and benefits, a check-in, the
readiness self-assessment and change agents. They validate input only; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learners.models import ActionPlan, Benefit, BenefitStatus
from learners.models.change import READINESS_SCALE, READINESS_STATEMENTS
from learners.services.change import BENEFIT_FIELDS, PLAN_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = list(PLAN_FIELDS)  # the same list the service writes
        widgets = {
            "change": forms.Textarea(attrs={"rows": 4}),
            "involve_employees": forms.Textarea(attrs={"rows": 2}),
            "involve_union": forms.Textarea(attrs={"rows": 2}),
            "involve_agents": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "title": _("For example: new routine for digital supervision at night."),
            "involve_employees": _("Who, and how they take part."),
            "involve_union": _("Which union representatives, and when you bring them in."),
            "involve_agents": _("Who helps carry the change in the unit."),
        }


class StepForm(forms.Form):
    text = forms.CharField(label=_("Step"), max_length=300, required=False)
    due_date = forms.DateField(label=_("By"), required=False, widget=DATE)


class BenefitForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Benefit
        fields = list(BENEFIT_FIELDS)  # the same list the service writes
        widgets = {"baseline_date": DATE, "target_date": DATE}
        help_texts = {
            "indicator": _("What you count or measure, e.g. hours spent on documentation."),
            "unit": _("For example: hours per week, %, number of errors."),
            "owner": _("The person or role responsible for realising it."),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("baseline_date"), data.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", _("The target date must come after the baseline."))
        return data


StepFormSet = forms.formset_factory(StepForm, extra=3, max_num=10, absolute_max=10)
BenefitFormSet = forms.formset_factory(
    BenefitForm,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=10,
    absolute_max=10,
    can_delete=True,
)


def benefit_initial(plan: ActionPlan) -> list[dict]:
    return [
        {"id": b.pk, **{f: getattr(b, f) for f in BenefitForm.Meta.fields}}
        for b in plan.benefits.all()
    ]


class MeasurementForm(forms.Form):
    """One benefit's figures at a check-in; the benefit is fixed by the view, not the form."""

    value = forms.DecimalField(label=_("Current value"), max_digits=12, decimal_places=2)
    status = forms.ChoiceField(
        label=_("Status"), choices=BenefitStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What did you learn?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReadinessForm(forms.Form):
    """Ten statements, each a radio group (its own fieldset with the statement as legend)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, text in READINESS_STATEMENTS:
            self.fields[key] = forms.TypedChoiceField(
                label=text, choices=READINESS_SCALE, coerce=int, widget=forms.RadioSelect
            )

    def answers(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key, _text in READINESS_STATEMENTS}


class ChangeAgentForm(forms.Form):
    works_on = forms.CharField(
        label=_("What do you work on?"),
        max_length=300,
        help_text=_("For example: digital supervision in home care. Colleagues see this."),
    )


class ChangeAgentDesignateForm(ChangeAgentForm):
    email = forms.EmailField(label=_("E-mail address of the person"))

    field_order = ["email", "works_on"]
