# ruff: noqa: E501 - msgids must match allauth's strings exactly, one literal each
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
    # Account pages and e-mails: plain Norwegian instead of translated phrasing
    _("Please type your current password."),
    _("You cannot add more than %d email addresses."),
    _("Forgot your password?"),
    _("Please Confirm Your Email Address"),
    _(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'
    ),
    _(
        'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    _("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    _("Confirmation email sent to %(email)s."),
    _(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    _(
        'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    _("Already have an account? Then please %(link)ssign in%(end_link)s."),
    _(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes."
    ),
    _(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes."
    ),
    _("Your email verification code is listed below. Please enter it in your open browser window."),
    _("Your password reset code is listed below. Please enter it in your open browser window."),
    _("Your sign-in code is listed below. Please enter it in your open browser window."),
    _(
        "You're receiving this email because user %(user_display)s has given your email address to register an account on %(site_domain)s."
    ),
    _("Mark selected email addresses as verified"),
    _("Authentication using an authenticator app is active."),
    _("An authenticator app is not active."),
    _("Enter an authenticator code:"),
    _("Deactivate Authenticator App"),
    _("You are about to deactivate authenticator app based authentication. Are you sure?"),
    _("A new set of Two-Factor Authentication recovery codes has been generated."),
    _("You cannot generate recovery codes without having two-factor authentication enabled."),
    _("You cannot activate two-factor authentication until you have verified your email address."),
    _("You cannot add an email address to an account protected by two-factor authentication."),
    _("You cannot deactivate two-factor authentication."),
    _("Use authenticator app or code"),
]
