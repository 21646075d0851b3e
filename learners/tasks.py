"""Background work for learners. Tasks take ids only and call one service."""

from celery import shared_task

from . import services


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def municipalities_refresh(self) -> int:
    """Bring the municipality list in line with the shipped CSV (idempotent)."""
    return services.municipalities_load()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def certificate_issue_task(self, enrolment_id: int) -> int:
    """Issue the certificate for a completed enrolment (idempotent: same completion, same
    certificate)."""
    from .models import Enrolment
    from .services.certificates import certificate_issue

    enrolment = Enrolment.objects.select_related("user", "municipality").get(pk=enrolment_id)
    return certificate_issue(enrolment=enrolment).pk


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def certificate_pdf_render_task(self, certificate_id: int) -> str:
    """Render and store a certificate's PDF if the stored file is missing (idempotent)."""
    from .models import Certificate
    from .services.certificates import certificate_pdf_render

    certificate = Certificate.objects.get(pk=certificate_id)
    return certificate_pdf_render(certificate=certificate).pdf.name


# Faults (issue 9): the transactional outbox (learners.services.outbox).


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_relay_task(self) -> int:
    """Every minute: publish the tasks recorded while the broker was down; and drop messages
    published more than a week ago."""
    from .services.outbox import outbox_purge_sent, outbox_relay

    sent = outbox_relay()
    outbox_purge_sent()
    return sent


# HR (issue 6): invitations, reminders, digest and recertification.


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_invitation_send(self, user_id: int, municipality_id: int) -> None:
    """E-mail an imported person a link to choose their password."""
    from .services.reminders import invitation_send

    invitation_send(user_id=user_id, municipality_id=municipality_id)


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def membership_invitation_send(self, invitation_id: int) -> None:
    """E-mail an existing account the invitation to join another municipality."""
    from .services.ownership import membership_invitation_send as send

    send(invitation_id=invitation_id)


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_reminders_send(self) -> int:
    """Daily: due-soon and overdue reminders to learners, each sent once."""
    from .services.reminders import reminders_send

    return reminders_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_digest_send(self) -> int:
    """Weekly: tell HR who became overdue since the last digest."""
    from .services.reminders import hr_digest_send as digest_send

    return digest_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_assignments_reopen(self) -> int:
    """Daily: reopen assignments whose learning path validity has ended (recertification)."""
    from .services.hr import assignments_reopen_expired

    return assignments_reopen_expired()


# Change in practice (issue 7).


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def change_followups_remind(self) -> int:
    """Daily: remind managers of action-plan check-ins that are due, each exactly once."""
    from .services.change import followup_reminders_send

    return followup_reminders_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def retention_anonymise(self) -> int:
    """Anonymise everyone past their municipality's retention period (privacy, issue 9);
    idempotent: people already anonymised are not picked again."""
    from .services.privacy import retention_anonymise as run

    return len({person["id"] for result in run() for person in result.people})
