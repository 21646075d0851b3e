"""Writes for learning: enrol, progress, reflections, quiz attempts, course completion.
Every function runs in one transaction; completion is recorded once, under a row lock."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import grading
from courses.models import CoursePage, ModulePage
from learners.models import AuditAction, Enrolment, ModuleProgress, ReflectionAnswer, User
from learners.selectors.org import learner_home_membership
from learners.services.audit import audit_log_write
from learners.services.outbox import certificate_issue_enqueue
from learners.services.rollups import rollup_refresh
from learners.services.xapi import (
    xapi_course_completed,
    xapi_module_completed,
    xapi_module_started,
)
from learners.signals import course_completed


class LearningError(Exception):
    """A learner action that is not allowed; `code` says why, for the view to explain."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def _home_membership(user: User):
    membership = learner_home_membership(user=user)
    if membership is None:
        raise LearningError("no_municipality")
    return membership


@transaction.atomic
def enrolment_create(*, user: User, course: CoursePage, source: str = "self") -> Enrolment:
    """Enrol `user` in `course` in their municipality; idempotent, re-opens a left course."""
    membership = _home_membership(user)
    enrolment, created = Enrolment.objects.get_or_create(
        user=user,
        course=course,
        defaults={"municipality": membership.municipality, "source": source},
    )
    if not created and enrolment.status == Enrolment.Status.LEFT:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.source = source if source == Enrolment.Source.ASSIGNMENT else enrolment.source
        enrolment.save(update_fields=["status", "source"])
    elif not created and source == Enrolment.Source.ASSIGNMENT != enrolment.source:
        enrolment.source = source
        enrolment.save(update_fields=["source"])
    if created:
        audit_log_write(
            action=AuditAction.ENROLMENT_CREATE,
            actor=user,
            municipality=enrolment.municipality,
            target=enrolment,
            data={"course_id": course.pk, "source": source},
        )
    return enrolment


@transaction.atomic
def enrolment_leave(*, enrolment: Enrolment) -> Enrolment:
    """Leave a self-chosen course; assigned and completed courses cannot be left."""
    if enrolment.source != Enrolment.Source.SELF:
        raise LearningError("assigned")
    if enrolment.status == Enrolment.Status.COMPLETED:
        raise LearningError("completed")
    enrolment.status = Enrolment.Status.LEFT
    enrolment.save(update_fields=["status"])
    audit_log_write(
        action=AuditAction.ENROLMENT_LEAVE,
        actor=enrolment.user,
        municipality=enrolment.municipality,
        target=enrolment,
    )
    return enrolment


def module_visit(*, enrolment: Enrolment, module: ModulePage) -> None:
    """Remember the module the learner is on, so they can resume there."""
    if enrolment.last_module_id != module.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_module=module)
        enrolment.last_module_id = module.pk
        xapi_module_started(enrolment=enrolment, module=module)


@transaction.atomic
def module_complete(*, enrolment: Enrolment, module: ModulePage) -> bool:
    """Mark a module done (once); completes the course if that was the last requirement.
    Returns True when the course became complete by this call."""
    if module.get_parent().pk != enrolment.course_id:
        raise LearningError("wrong_course")
    module_mark_done(enrolment=enrolment, module=module)
    return enrolment_complete_if_done(enrolment_id=enrolment.pk)


def module_mark_done(*, enrolment: Enrolment, module: ModulePage) -> None:
    try:
        with transaction.atomic():
            _progress, created = ModuleProgress.objects.get_or_create(
                enrolment=enrolment, module=module, defaults={"done_at": timezone.now()}
            )
            if created:
                xapi_module_completed(enrolment=enrolment, module=module)
                first = not enrolment.progress.exclude(pk=_progress.pk).exists()
                if first and enrolment.completed_at is None:
                    rollup_refresh(user_ids=[enrolment.user_id])  # now in progress
    except IntegrityError:
        pass  # a concurrent request recorded it first: the module is done either way


@transaction.atomic
def enrolment_complete_if_done(*, enrolment_id: int) -> bool:
    """Record completion once, with a timestamp, when the course rule is met."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    if enrolment.completed_at is not None:
        return False
    course = CoursePage.objects.get(pk=enrolment.course_id)
    required = set(
        ModulePage.objects.child_of(course)
        .live()
        .filter(required=True)
        .values_list("pk", flat=True)
    )
    done = set(enrolment.progress.values_list("module_id", flat=True))
    final_passed = enrolment.attempts.filter(quiz_page_id=course.pk, passed=True).exists()
    if not grading.course_is_complete(
        required_module_ids=required,
        done_module_ids=done,
        has_final_quiz=course.has_quiz,
        final_quiz_passed=final_passed,
    ):
        return False
    enrolment.completed_at = timezone.now()
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.save(update_fields=["completed_at", "status"])
    audit_log_write(
        action=AuditAction.ENROLMENT_COMPLETE,
        actor=enrolment.user,
        municipality=enrolment.municipality,
        target=enrolment,
    )
    xapi_course_completed(enrolment=enrolment)
    rollup_refresh(user_ids=[enrolment.user_id])  # started, if no module had said so
    # The certificate is recorded in this transaction (outbox), so a broker outage loses none.
    certificate_issue_enqueue(enrolment_id=enrolment.pk, completed_at=enrolment.completed_at)
    transaction.on_commit(
        lambda: course_completed.send(sender=Enrolment, enrolment_id=enrolment.pk)
    )
    return True


@transaction.atomic
def reflection_save(
    *, enrolment: Enrolment, module: ModulePage, block_id: str, text: str, prompt: str | None = None
) -> ReflectionAnswer:
    """Save or update the learner's private answer to one reflection prompt. `prompt` is the
    question as the learner read it (a translation's), else the module's own."""
    prompts = module.reflection_prompts()
    if block_id not in prompts or module.get_parent().pk != enrolment.course_id:
        raise LearningError("unknown_prompt")
    text = text.strip()
    if not text:
        raise LearningError("empty")
    answer, _created = ReflectionAnswer.objects.update_or_create(
        enrolment=enrolment,
        module=module,
        block_id=block_id,
        defaults={"text": text[:10_000], "prompt": prompt or prompts[block_id]},
    )
    return answer
