"""Learning records to a municipality's LRS (xAPI 1.0.3), against a real LRS (Ralph)."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from ralph.models.xapi.base.statements import BaseXapiStatement

from courses.models import CoursePage
from learners.lib.secretbox import seal
from learners.models import LrsConnection, OutboxMessage, ReflectionAnswer, XapiStatement
from learners.selectors.xapi import lrs_delivery_state
from learners.services.learning import (
    enrolment_create,
    module_complete,
    module_visit,
    reflection_save,
)
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from learners.services.xapi import DELIVER_TASK, xapi_deliver, xapi_deliver_due
from tests.learners.views.test_learning import LEAN, right_answers, wrong_answers
from tests.ralph_lrs import PASSWORD, USERNAME, RalphLrs

VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    lrs = RalphLrs(tmp_path_factory.mktemp("ralph")).start()
    yield lrs
    lrs.stop()


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug=LEAN)


def _connect(municipality, endpoint="http://127.0.0.1:9/xAPI/", *, send_email=False):
    return LrsConnection.objects.create(
        municipality=municipality,
        endpoint=endpoint,
        username=USERNAME,
        password_sealed=seal(PASSWORD),
        send_email=send_email,
    )


def _learn_the_course(learner, course):
    """Every kind of event: modules started and completed, a quiz failed and passed, the
    course completed (and its certificate earned)."""
    enrolment = enrolment_create(user=learner, course=course)
    for module in course.modules:
        module_visit(enrolment=enrolment, module=module)
        if module.completion == "quiz":
            attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
            quiz_attempt_submit(
                enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt)
            )
        else:
            module_complete(enrolment=enrolment, module=module)
    final = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    quiz_attempt_submit(enrolment=enrolment, attempt_id=final.pk, answers=wrong_answers(final))
    enrolment.refresh_from_db()
    return enrolment


def _verbs(municipality):
    return [s.statement["verb"]["id"].rsplit("/", 1)[-1] for s in _rows(municipality)]


def _rows(municipality):
    return list(XapiStatement.objects.filter(municipality=municipality).order_by("pk"))


def test_every_event_becomes_a_valid_xapi_statement(learner, bergen, course):
    _connect(bergen)
    _learn_the_course(learner, course)
    verbs = _verbs(bergen)
    assert {"attempted", "completed", "answered", "passed", "failed"} <= set(verbs)
    assert verbs.count("attempted") == len(course.modules)
    for row in _rows(bergen):
        BaseXapiStatement(**row.statement)  # Ralph's own xAPI model accepts it
        assert row.statement["version"] == "1.0.3"
        assert row.statement["id"] == str(row.statement_id)


def test_the_course_completion_and_the_certificate_are_sent(
    learner, bergen, course, django_capture_on_commit_callbacks
):
    _connect(bergen)
    enrolment = _learn_the_course(learner, course)
    final = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    with django_capture_on_commit_callbacks(execute=True):  # the certificate comes after commit
        quiz_attempt_submit(enrolment=enrolment, attempt_id=final.pk, answers=right_answers(final))
    statements = [row.statement for row in _rows(bergen)]
    course_iri = f"/xapi/course/{course.pk}"
    completed = [
        s
        for s in statements
        if s["verb"]["id"] == VERB + "completed" and s["object"]["id"].endswith(course_iri)
    ]
    assert len(completed) == 1
    earned = [s for s in statements if s["verb"]["id"].endswith("/earned")]
    assert len(earned) == 1
    assert earned[0]["context"]["contextActivities"]["parent"][0]["id"].endswith(course_iri)
    passed = [s for s in statements if s["verb"]["id"] == VERB + "passed"]
    assert passed[-1]["result"]["score"]["scaled"] == 1.0


def test_the_actor_is_pseudonymous_unless_the_municipality_chose_email(
    learner, other_learner, bergen, oslo, course
):
    _connect(bergen)
    _connect(oslo, send_email=True)
    _learn_the_course(learner, course)
    _learn_the_course(other_learner, course)
    bergen_actor = _rows(bergen)[0].statement["actor"]
    assert set(bergen_actor) == {"objectType", "account"}
    assert learner.email not in json.dumps(bergen_actor)
    assert {s.statement["actor"]["account"]["name"] for s in _rows(bergen)} == {
        bergen_actor["account"]["name"]
    }
    assert _rows(oslo)[0].statement["actor"]["mbox"] == f"mailto:{other_learner.email}"


def test_no_free_text_is_ever_sent(learner, bergen, course):
    _connect(bergen)
    enrolment = enrolment_create(user=learner, course=course)
    secret = "Hemmelig refleksjon om sjefen min"
    module = next(m for m in course.modules if m.reflection_prompts())
    block_id = next(iter(module.reflection_prompts()))
    reflection_save(enrolment=enrolment, module=module, block_id=block_id, text=secret)
    assert ReflectionAnswer.objects.filter(text=secret).exists()
    _learn_the_course(learner, course)
    everything = json.dumps([row.statement for row in _rows(bergen)], ensure_ascii=False)
    assert secret not in everything


def test_a_municipality_without_an_lrs_records_nothing(learner, course):
    _learn_the_course(learner, course)
    assert not XapiStatement.objects.exists()


def test_the_same_event_twice_is_one_statement(learner, bergen, course):
    _connect(bergen)
    enrolment = enrolment_create(user=learner, course=course)
    module = course.modules[0]
    module_visit(enrolment=enrolment, module=module)
    module_visit(enrolment=enrolment, module=course.modules[1])
    module_visit(enrolment=enrolment, module=module)
    assert _verbs(bergen).count("attempted") == 2


def test_statements_arrive_in_the_lrs_and_read_back_equal(learner, bergen, course, ralph):
    _connect(bergen, ralph.endpoint)
    _learn_the_course(learner, course)
    rows = _rows(bergen)
    assert xapi_deliver(municipality_id=bergen.pk) == len(rows)
    for row in rows[:5] + rows[-3:]:
        stored = ralph.statement(str(row.statement_id))
        for field in ("id", "actor", "verb", "object"):
            assert stored[field] == row.statement[field]
        assert stored.get("result") == row.statement.get("result")
    state = lrs_delivery_state(municipality=bergen)
    assert (state.sent, state.waiting, state.failing) == (len(rows), 0, 0)
    assert state.last_error == ""
    # Delivering again sends nothing twice.
    assert xapi_deliver(municipality_id=bergen.pk) == 0


def test_a_stopped_lrs_loses_nothing_and_never_holds_up_the_learner(
    learner, bergen, course, tmp_path
):
    lrs = RalphLrs(tmp_path).start()
    try:
        _connect(bergen, lrs.endpoint)
        enrolment = enrolment_create(user=learner, course=course)
        module_visit(enrolment=enrolment, module=course.modules[0])
        assert xapi_deliver(municipality_id=bergen.pk) == 1
        lrs.stop()
        module_complete(enrolment=enrolment, module=course.modules[1])
        assert xapi_deliver(municipality_id=bergen.pk) == 0
        state = lrs_delivery_state(municipality=bergen)
        assert state.failing == 1 and "ConnectionError" in state.last_error
        assert state.retry_after > timezone.now()
        # While it fails, new events wait for the next attempt: no delivery is queued, so a
        # learner's request never waits for the failing LRS.
        queued = OutboxMessage.objects.filter(task_name=DELIVER_TASK).count()
        module_visit(enrolment=enrolment, module=course.modules[2])
        assert OutboxMessage.objects.filter(task_name=DELIVER_TASK).count() == queued
        assert xapi_deliver(municipality_id=bergen.pk) == 0  # not due yet
        lrs.start()
        later = timezone.now() + dt.timedelta(hours=2)
        assert xapi_deliver_due(now=later) == 2
        for row in _rows(bergen):
            assert lrs.statement(str(row.statement_id))["id"] == str(row.statement_id)
        state = lrs_delivery_state(municipality=bergen)
        assert (state.sent, state.waiting, state.failing, state.last_error) == (3, 0, 0, "")
    finally:
        lrs.stop()


def test_a_wrong_password_is_shown_to_hr_and_retried(learner, bergen, course, ralph):
    connection = _connect(bergen, ralph.endpoint)
    connection.password_sealed = seal("wrong")
    connection.save()
    enrolment = enrolment_create(user=learner, course=course)
    module_visit(enrolment=enrolment, module=course.modules[0])
    assert xapi_deliver(municipality_id=bergen.pk) == 0
    state = lrs_delivery_state(municipality=bergen)
    assert state.failing == 1 and "401" in state.last_error
