"""Without a broker (`make run`), completing a course answers at once: the certificate is
issued in the request, its PDF is rendered afterwards on the process's background thread."""

import threading

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Site

from learners import openbadges as ob
from learners.models import Certificate, OutboxMessage, QuizAttempt
from learners.services import outbox
from learners.services.certificates import PDF_TASK
from tests.learners.test_integrity import setup_course  # noqa: F401 - a fixture
from tests.learners.views.test_learning import post_answers, right_answers
from tests.worker import wait_for


@pytest.mark.django_db(transaction=True)
def test_the_quiz_that_completes_a_course_answers_before_the_pdf_is_made(
    setup_course,  # noqa: F811
    settings,
    tmp_path,
):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTBOX_IN_PROCESS_BACKGROUND = [PDF_TASK]  # as in make run (test settings: off)
    course, user = setup_course
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "testserver", "root_page": Page.get_first_root_node()},
    )
    Site.clear_site_root_paths_cache()
    client = Client()
    client.force_login(user)
    client.post(reverse("learners:enrol", args=[course.pk]))
    for module in course.modules:
        client.post(reverse("learners:module_done", args=[module.pk]))
    client.get(reverse("learners:quiz", args=[course.pk]))
    attempt = QuizAttempt.objects.get(enrolment__user=user, quiz_page_id=course.pk)

    # Hold the background thread, so whatever the request hands it must wait: if the request
    # made the PDF itself, the PDF would exist when its answer comes.
    release = threading.Event()
    outbox.background_executor().submit(release.wait, 60)
    try:
        response = client.post(
            reverse("learners:quiz", args=[course.pk]),
            post_answers(right_answers(attempt), attempt),
        )
        assert response.status_code == 302
        certificate = Certificate.objects.get(enrolment__user=user)
        assert certificate.pdf.name == ""
        assert OutboxMessage.objects.filter(task_name=PDF_TASK, sent_at__isnull=True).exists()
    finally:
        release.set()

    name = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk).values_list("pdf", flat=True)[0],
        timeout=120,
    )
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"%PDF")
    assert not OutboxMessage.objects.filter(task_name=PDF_TASK, sent_at__isnull=True).exists()
    download = client.get(reverse("certificates:pdf", args=[certificate.code]))
    assert download.status_code == 200
