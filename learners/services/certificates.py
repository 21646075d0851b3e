"""Certificates: issue, revoke, re-issue, render the PDF, verify credentials.

A certificate is a snapshot: what it shows is copied in when it is issued, so later edits to
the course, the learner or the municipality never change it. Issuing is idempotent per
completion, also under concurrency: the database's conditional unique constraints decide,
and a losing concurrent insert returns the winner's certificate.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from courses import translations
from courses.models import LearningPath
from learners import openbadges as ob
from learners.lib.codes import certificate_code_generate, certificate_code_normalise
from learners.models import AuditAction, Certificate, Enrolment, Municipality, User
from learners.models.certificates import certificate_storage
from learners.openbadges import credentials
from learners.selectors.org import preferred_language
from learners.services.xapi import xapi_certificate_earned

from .audit import audit_log_write
from .outbox import outbox_enqueue

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

# Frozen into the signed credential in bokmål (learners.openbadges.credentials).
PATH_NARRATIVE = gettext_lazy("Every required course in the learning path is completed.")
COURSE_NARRATIVE = gettext_lazy(
    "Every module of the course is completed, and any final quizzes are passed."
)


# --- Issuing --------------------------------------------------------------------------------


def _learner_name(user: User) -> str:
    return user.get_full_name().strip() or user.email


def _hours(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


def _create(
    *,
    fields: dict,
    lookup: dict,
    achievement_id: str,
    narrative: str | Promise,
    actor: User | None,
    pdf_task: bool = True,
) -> Certificate:
    """Insert a certificate unless a valid one exists for `lookup`; the unique constraint
    settles races: the loser's insert fails and it returns the winner's row. With `pdf_task`,
    its PDF is rendered by a task queued in the same transaction; without, the caller renders
    it (certificate_issue_task does, retried until it is stored)."""
    for _attempt in range(3):
        # The valid certificate for `lookup`, else the latest revoked one (which a new one
        # replaces): one query.
        found = (
            Certificate.objects.filter(**lookup)
            .order_by(F("revoked_at").desc(nulls_first=True), "-issued_at")
            .first()
        )
        if found is not None and found.revoked_at is None:
            return found
        # Signed before it is stored (the credential holds only what the row shows, its
        # code and its time of issue), so the row is written once.
        certificate = Certificate(
            code=certificate_code_generate(), replaces=found, issued_at=timezone.now(), **fields
        )
        certificate.credential = credentials.certificate_credential_sign(
            certificate, achievement_id=achievement_id, narrative=narrative
        )
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
                audit_log_write(
                    action=AuditAction.CERTIFICATE_REISSUE
                    if found
                    else AuditAction.CERTIFICATE_ISSUE,
                    actor=actor,
                    municipality=certificate.municipality,
                    target=certificate,
                    data={"code": certificate.code, "replaces": found.pk if found else None},
                )
                if pdf_task:
                    outbox_enqueue(PDF_TASK, certificate_id=certificate.pk)
                xapi_certificate_earned(certificate=certificate)
        except IntegrityError:
            continue  # a concurrent issue won (or, astronomically rarely, the code collided)
        return certificate
    existing = Certificate.objects.filter(revoked_at__isnull=True, **lookup).first()
    if existing is None:
        raise IntegrityError("Could not issue the certificate.")
    return existing


PDF_TASK = "learners.tasks.certificate_pdf_render_task"  # tasks import services, not back


def certificate_issue(
    *, enrolment: Enrolment, actor: User | None = None, pdf_task: bool = True
) -> Certificate:
    """Issue (or return the existing) certificate for a completed enrolment, in the
    enrolment's municipality. After a revocation it issues a new one that `replaces` it.
    `pdf_task=False`: the caller renders the PDF (see _create)."""
    if enrolment.status != Enrolment.Status.COMPLETED or enrolment.completed_at is None:
        raise ValueError("The enrolment is not completed.")
    course = enrolment.course.specific
    # In the learner's language: the course's title in it where the course is translated.
    language = preferred_language(user=enrolment.user) or settings.LANGUAGE_CODE
    shown = translations.in_language(course, language)
    return _create(
        fields={
            "user": enrolment.user,
            "municipality": enrolment.municipality,
            "enrolment": enrolment,
            "learner_name": _learner_name(enrolment.user),
            "title": shown.title,
            "language": language,
            "municipality_name": enrolment.municipality.label,
            "completed_at": enrolment.completed_at,
            "estimated_hours": _hours(course.estimated_hours),
            "issuer_name": settings.CERTIFICATE_ISSUER_NAME,
        },
        lookup={"enrolment": enrolment, "completed_at": enrolment.completed_at},
        achievement_id=f"urn:endra:course:{course.pk}",
        narrative=COURSE_NARRATIVE,
        actor=actor,
        pdf_task=pdf_task,
    )


def certificate_issue_for_path(
    *,
    user: User,
    learning_path: LearningPath,
    municipality: Municipality,
    completed_at: datetime,
    actor: User | None = None,
) -> Certificate:
    """Issue (or return the existing) certificate for a completed learning path.

    Call it once every required course of `learning_path` is done; `completed_at` is when the
    last required course was completed (the same value always gives the same certificate).
    The certificate belongs to `municipality`, the one whose HR assigned or follows the path.
    Hours are the sum of the required courses' estimates."""
    required = learning_path.path_courses.filter(required=True).select_related("course")
    minutes = sum(item.course.estimated_minutes for item in required)
    return _create(
        fields={
            "user": user,
            "municipality": municipality,
            "learning_path": learning_path,
            "learner_name": _learner_name(user),
            "language": preferred_language(user=user) or settings.LANGUAGE_CODE,
            "title": learning_path.title,
            "municipality_name": municipality.label,
            "completed_at": completed_at,
            "estimated_hours": _hours(round(minutes / 60, 1)),
            "issuer_name": settings.CERTIFICATE_ISSUER_NAME,
        },
        lookup={"user": user, "learning_path": learning_path, "completed_at": completed_at},
        achievement_id=f"urn:endra:learning-path:{learning_path.pk}",
        narrative=PATH_NARRATIVE,
        actor=actor,
    )


# --- Revoking and re-issuing ----------------------------------------------------------------


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a valid certificate with a reason (the caller checked that `actor` is HR of
    its municipality or a platform admin). Revoking twice changes nothing."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A revocation needs a reason.")
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoke_reason = reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_log_write(
        action=AuditAction.CERTIFICATE_REVOKE,
        actor=actor,
        municipality=locked.municipality,
        target=locked,
        data={"code": locked.code, "reason": reason},
    )
    return locked


def certificate_reissue(*, certificate: Certificate, actor: User) -> Certificate:
    """Issue a new certificate for the same completion as a revoked one, with today's name
    and data; the new one `replaces` the old, which stays revoked as history."""
    if certificate.revoked_at is None:
        raise ValueError("Only a revoked certificate can be re-issued.")
    if certificate.enrolment is not None:
        enrolment = certificate.enrolment
        if enrolment.completed_at != certificate.completed_at:
            raise ValueError("The course was completed again; issue for that completion.")
        return certificate_issue(enrolment=enrolment, actor=actor)
    if certificate.learning_path is not None:
        return certificate_issue_for_path(
            user=certificate.user,
            learning_path=certificate.learning_path,
            municipality=certificate.municipality,
            completed_at=certificate.completed_at,
            actor=actor,
        )
    raise ValueError("The course or path of this certificate no longer exists.")


# --- PDF ------------------------------------------------------------------------------------


def _qr_png(url: str) -> str:
    """The QR code as a PNG data URI, one pixel per module: WeasyPrint places a small image
    several times faster than it draws the code as SVG paths, and the template scales it up
    without smoothing (`image-rendering: pixelated`), so the modules stay sharp."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=1, border=0, dark="#1e2b3c")


def certificate_pdf_html(*, certificate: Certificate) -> str:
    """The certificate's page, in the learner's language as it was when issued."""
    url = credentials.verification_url(certificate.code)
    with translation.override(certificate.language or settings.LANGUAGE_CODE):
        return render_to_string(
            "learners/certificate_pdf.html",
            {
                "certificate": certificate,
                "verification_url": url,
                "qr_png": _qr_png(url),
                "completed_on": timezone.localtime(certificate.completed_at).date(),
            },
        )


_pdf_kept = threading.local()


def _pdf_style() -> tuple[CSS, FontConfiguration]:
    """The certificate's stylesheet, parsed once, with the font configuration it was parsed
    for: building both again for every PDF took half of its rendering time. Kept per thread,
    as WeasyPrint does not promise that a font configuration may be shared between threads."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    kept = getattr(_pdf_kept, "style", None)
    if kept is None:
        fonts = FontConfiguration()
        css = CSS(string=render_to_string("learners/certificate_pdf.css"), font_config=fonts)
        kept = _pdf_kept.style = (css, fonts)
    return kept


def certificate_pdf_document(*, certificate: Certificate, **options: object) -> Document:
    """The certificate laid out by WeasyPrint as a tagged A4 page (PDF/UA-1); `options` are
    WeasyPrint's, given again to `write_pdf`."""
    from weasyprint import HTML

    css, fonts = _pdf_style()
    html = HTML(
        string=certificate_pdf_html(certificate=certificate),
        base_url=credentials.site_url() + "/",
    )
    return html.render(font_config=fonts, stylesheets=[css], pdf_variant="pdf/ua-1", **options)


def certificate_pdf_bytes(*, certificate: Certificate, uncompressed: bool = False) -> bytes:
    """Render the certificate as a tagged A4 PDF (PDF/UA-1) in the learner's language as it
    was when issued (`uncompressed` keeps its structure readable for inspection)."""
    document = certificate_pdf_document(certificate=certificate, uncompressed_pdf=uncompressed)
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=uncompressed)


def certificate_pdf_name(code: str) -> str:
    """The stored name: a keyed hash of the code, so it tells nothing (not the code, not the
    person) and cannot be guessed, yet rendering again overwrites the same file."""
    digest = salted_hmac("endra.certificate.pdf", code, algorithm="sha256").hexdigest()
    return f"certificates/{digest[:32]}.pdf"


def certificate_pdf_render(*, certificate: Certificate, force: bool = False) -> Certificate:
    """Render and store the PDF in private storage unless a stored file already exists (or
    `force`); a replaced file is deleted."""
    storage = certificate_storage()
    previous = certificate.pdf.name or None
    if previous and not force and storage.exists(previous):
        return certificate
    content = certificate_pdf_bytes(certificate=certificate)
    name = certificate_pdf_name(certificate.code)
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(content))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=stored)
    certificate.pdf.name = stored
    if previous and previous != stored and storage.exists(previous):
        storage.delete(previous)
    return certificate


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialCheck:
    """Result of certificate_verify_credential: status is valid, revoked, tampered,
    unknown_issuer or malformed; certificate is set when we know which one it is."""

    status: str
    certificate: Certificate | None = None

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def _certificate_for_credential_id(credential_id: object) -> Certificate | None:
    if not isinstance(credential_id, str):
        return None
    match = re.search(r"/certificates/([^/]+)/?$", credential_id)
    code = certificate_code_normalise(match.group(1)) if match else None
    return Certificate.objects.filter(code=code).first() if code else None


def certificate_verify_credential(*, credential: dict) -> CredentialCheck:
    """Check a credential.json: our signature, untouched content, and not revoked since.

    Cheap checks come first and decide most cases without any JSON-LD work: the shape, the
    issuer's key, then the certificate named by the credential's id, compared with what we
    issued. Only a credential that differs from our record (an earlier version we signed, or
    a changed one) is canonicalised, and only within the bounds of check_bounds."""
    if not isinstance(credential, dict):
        return CredentialCheck(status="malformed")
    try:
        ob.check_bounds(credential)
    except ob.DataIntegrityError:
        return CredentialCheck(status="malformed")
    proof = credential.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or credentials.resolve_public_key(method) is None:
        reason = "unknown_issuer" if isinstance(method, str) else "malformed"
        return CredentialCheck(status=reason)
    certificate = _certificate_for_credential_id(credential.get("id"))
    if certificate is not None and certificate.credential == credential:
        status = "revoked" if certificate.revoked_at is not None else "valid"
        return CredentialCheck(status=status, certificate=certificate)
    reason = credentials.verify_signature(credential=credential)
    if reason != "valid":
        return CredentialCheck(status=reason)
    # Signed by us but not what we hold now (re-signed since, or no longer on record): we do
    # not vouch for it any more.
    return CredentialCheck(status="revoked", certificate=certificate)
