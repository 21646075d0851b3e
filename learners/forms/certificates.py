"""Forms for certificates: verifying a pasted or uploaded credential, revoking one."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_CREDENTIAL_BYTES = 100_000


class CredentialCheckForm(forms.Form):
    credential = forms.CharField(
        label=_("Paste the contents of credential.json"),
        required=False,
        max_length=MAX_CREDENTIAL_BYTES,
        widget=forms.Textarea(attrs={"rows": 6, "class": "ds-input", "spellcheck": "false"}),
    )
    credential_file = forms.FileField(
        label=_("… or upload credential.json"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("credential_file")
        text = cleaned.get("credential") or ""
        if upload is not None:
            if upload.size > MAX_CREDENTIAL_BYTES:
                raise forms.ValidationError(_("The file is too large to be a credential."))
            text = upload.read().decode("utf-8", errors="replace")
        if not text.strip():
            raise forms.ValidationError(_("Paste a credential or choose a file."))
        try:
            cleaned["document"] = json.loads(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        help_text=_("Kept in the audit log and shown to HR, not on the public page."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "ds-input"}),
    )
