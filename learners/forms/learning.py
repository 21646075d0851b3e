"""Forms for learning: a reflection answer and a quiz attempt."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer (only you can see it)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )


class QuizForm(forms.Form):
    """One field per question, in the order stored on the attempt. It never contains
    which answers are correct: only ids and texts reach the browser."""

    def __init__(self, *args, attempt, **kwargs):
        super().__init__(*args, **kwargs)
        self.attempt = attempt
        by_id = {q["id"]: q for q in attempt.snapshot}
        self.questions = []
        for number, question_id in enumerate(attempt.order["questions"], start=1):
            question = by_id[question_id]
            texts = {c["id"]: c["text"] for c in question["choices"]}
            choices = [(cid, texts[cid]) for cid in attempt.order["choices"][question_id]]
            names = self._add_fields(question, choices)
            self.questions.append(
                {"number": number, "question": question, "names": names, "choices": choices}
            )

    def _add_fields(self, question, choices) -> list[str]:
        qid, kind = question["id"], question["kind"]
        error = {"required": _("Answer this question.")}
        if kind == "multiple":
            self.fields[f"q-{qid}"] = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=error
            )
            return [f"q-{qid}"]
        if kind == "ordering":
            positions = [("", "–")] + [(str(i), str(i)) for i in range(1, len(choices) + 1)]
            names = []
            for cid, text in choices:
                self.fields[f"o__{qid}__{cid}"] = forms.ChoiceField(
                    label=text, choices=positions, error_messages=error
                )
                names.append(f"o__{qid}__{cid}")
            return names
        self.fields[f"q-{qid}"] = forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, error_messages=error
        )
        return [f"q-{qid}"]

    def clean(self):
        cleaned = super().clean()
        for item in self.questions:
            question = item["question"]
            if question["kind"] != "ordering":
                continue
            positions = [cleaned.get(name) for name in item["names"]]
            if all(positions) and len(set(positions)) != len(positions):
                self.add_error(item["names"][0], _("Give each answer its own place (1, 2, 3 …)."))
        return cleaned

    def answers(self) -> dict[str, list[str]]:
        result = {}
        for item in self.questions:
            qid = item["question"]["id"]
            if item["question"]["kind"] == "ordering":
                ranked = sorted(
                    (int(self.cleaned_data[name]), name.split("__")[2]) for name in item["names"]
                )
                result[qid] = [cid for _position, cid in ranked]
            elif item["question"]["kind"] == "multiple":
                result[qid] = list(self.cleaned_data[f"q-{qid}"])
            else:
                result[qid] = [self.cleaned_data[f"q-{qid}"]]
        return result

    def question_errors(self) -> list[dict]:
        """Questions with an error, for the summary at the top of the page."""
        return [
            item for item in self.questions if any(name in self.errors for name in item["names"])
        ]

    def question_items(self) -> list[dict]:
        """Questions with their bound fields, errors and (for one or more answers) the
        options as the template writes them out: rendering each option through Django's
        widget templates cost as much as the rest of the quiz page."""
        items = []
        for item in self.questions:
            fields = [self[name] for name in item["names"]]
            errors = [error for field in fields for error in field.errors]
            options = [] if item["question"]["kind"] == "ordering" else _options(fields[0], item)
            items.append({**item, "fields": fields, "errors": errors, "options": options})
        return items


def _options(field, item) -> list[dict]:
    value = field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    kind = "checkbox" if item["question"]["kind"] == "multiple" else "radio"
    return [
        {
            "type": kind,
            "required": kind == "radio",  # as Django's widgets: no required on checkboxes
            "value": cid,
            "label": text,
            "id": f"{field.auto_id}_{i}",
            "checked": cid in chosen,
        }
        for i, (cid, text) in enumerate(item["choices"])
    ]
