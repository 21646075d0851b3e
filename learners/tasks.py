"""Background work for learners. Tasks take ids only and call one service."""

from celery import shared_task

from learners.models import Certificate, Enrolment
from learners.services import (
    assignments,
    certificates,
    change,
    org,
    outbox,
    ownership,
    privacy,
    quiz_stats,
    reminders,
    rollups,
    xapi,
)


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def municipalities_refresh(self) -> int:
    """Bring the municipality list in line with the shipped CSV (idempotent)."""
    return org.municipalities_load()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def certificate_issue_task(self, enrolment_id: int) -> int:
    """Issue the certificate for a completed enrolment and have its PDF rendered, both
    idempotent (same completion, same certificate; a stored PDF is kept).

    On a worker the PDF is rendered here, after the issue's commit (one task instead of two;
    a retry, or a redelivery after a lost worker, finishes what is missing). Run eagerly,
    without a broker, this is the request's own work: the PDF goes to its own task then, which
    the outbox runs after the answer (OUTBOX_IN_PROCESS_BACKGROUND)."""
    enrolment = Enrolment.objects.select_related("user", "municipality").get(pk=enrolment_id)
    on_worker = not self.request.is_eager
    certificate = certificates.certificate_issue(enrolment=enrolment, pdf_task=not on_worker)
    if on_worker:
        certificates.certificate_pdf_render(certificate=certificate)
    return certificate.pk


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def certificate_pdf_render_task(self, certificate_id: int) -> str:
    """Render and store a certificate's PDF if the stored file is missing (idempotent)."""
    certificate = Certificate.objects.get(pk=certificate_id)
    return certificates.certificate_pdf_render(certificate=certificate).pdf.name


# The transactional outbox (learners.services.outbox).


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_relay_task(self) -> int:
    """Every minute: publish the tasks recorded while the broker was down; and drop messages
    published more than a week ago."""
    sent = outbox.outbox_relay()
    outbox.outbox_purge_sent()
    return sent


# HR: invitations, reminders, digest and recertification.


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_invitation_send(self, user_id: int, municipality_id: int) -> None:
    """E-mail an imported person a link to choose their password."""
    reminders.invitation_send(user_id=user_id, municipality_id=municipality_id)


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def membership_invitation_send(self, invitation_id: int) -> None:
    """E-mail an existing account the invitation to join another municipality."""
    ownership.membership_invitation_send(invitation_id=invitation_id)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def assignment_job_task(self, job_id: int) -> int:
    """Give an assignment to the people it reaches, batch by batch (resumes where it stopped;
    a failure is recorded on the job for HR, who can start it again)."""
    return assignments.assignment_job_run(job_id=job_id).done


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_reminders_send(self) -> int:
    """Daily: due-soon and overdue reminders to learners, each sent once."""
    return reminders.reminders_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_digest_send(self) -> int:
    """Weekly: tell HR who became overdue since the last digest."""
    return reminders.hr_digest_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_assignments_reopen(self) -> int:
    """Daily: reopen assignments whose learning path validity has ended (recertification)."""
    return assignments.assignments_reopen_expired()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def hr_rollups_sweep(self) -> int:
    """Just after midnight: the HR numbers that move with the date alone (overdue, expiring
    soon); the dashboard does it itself should this not have run."""
    return rollups.rollup_sweep_all()


# Change in practice.


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def change_followups_remind(self) -> int:
    """Daily: remind managers of action-plan check-ins that are due, each exactly once."""
    return change.followup_reminders_send()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def retention_anonymise(self) -> int:
    """Anonymise everyone past their municipality's retention period;
    idempotent: people already anonymised are not picked again."""
    return len(
        {person["id"] for result in privacy.retention_anonymise() for person in result.people}
    )


@shared_task(bind=True, acks_late=True, ignore_result=True)
def quiz_statistics_refresh(self) -> int:
    """Item analysis for editors: recompute the quizzes with new attempts."""
    return quiz_stats.quiz_statistics_refresh()


# Learning records to the municipalities' LRSs (learners.services.xapi). No Celery retry: a
# failed delivery leaves the statements waiting with a backoff, and the beat task sends them.


@shared_task(bind=True, acks_late=True, ignore_result=True)
def xapi_deliver_task(self, municipality_id: int) -> int:
    return xapi.xapi_deliver(municipality_id=municipality_id)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def xapi_deliver_due_task(self) -> int:
    return xapi.xapi_deliver_due()
