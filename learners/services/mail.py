"""Sending e-mail. Every message is rendered from templates/email/<template>_subject.txt,
<template>.txt and <template>.html, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def site_url(path: str) -> str:
    """The absolute address of `path` on this site, for links in e-mail."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def mail_send(*, to: list[str], template: str, context: dict, language: str = "") -> None:
    """Send one e-mail with a plain-text and an HTML part, in `language` (the site's default
    when empty: bokmål)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {**context, "site_url": site_url("")}
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
        text = render_to_string(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[Endra] {subject}", body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    message.send()
