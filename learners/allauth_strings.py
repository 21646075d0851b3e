"""django-allauth texts that Endra words itself, in plain Norwegian.

Django reads Endra's catalogue (LOCALE_PATHS) before allauth's, so a msgid translated there
wins. The msgids are listed here, exactly as allauth writes them, so that `make messages`
keeps them in the catalogue instead of marking them obsolete. Nothing imports this module.
"""

from django.utils.translation import gettext_noop as _

ALLAUTH_MSGIDS = [
    # Two-step login (allauth.mfa)
    _("Two-Factor Authentication"),
    _(
        "Your account is protected by two-factor authentication. Please enter an "
        "authenticator code:"
    ),
    _("Authenticator code"),
    _("Authenticator secret"),
    _("Authenticator App"),
    _("Activate Authenticator App"),
    _("Authenticator app activated."),
    _("Recovery Codes"),
    _("A new set of recovery codes has been generated."),
    _("Incorrect code."),
    _("Confirm Access"),
    _("Please reauthenticate to safeguard your account."),
]
