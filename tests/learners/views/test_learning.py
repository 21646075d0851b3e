import pytest
from django.urls import reverse

from courses.models import CoursePage
from learners.models import Enrolment, ModuleProgress, QuizAttempt, ReflectionAnswer
from learners.services.learning import LearningError, enrolment_create, module_complete
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from learners.signals import course_completed

LEAN = "lean-i-kommunale-tjenester"


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug=LEAN)


def right_answers(attempt):
    return {
        q["id"]: (
            [c["id"] for c in q["choices"]]
            if q["kind"] == "ordering"
            else [c["id"] for c in q["choices"] if c["correct"]]
        )
        for q in attempt.snapshot
    }


def wrong_answers(attempt):
    answers = right_answers(attempt)
    for q in attempt.snapshot:
        wrong = [c["id"] for c in q["choices"] if not c["correct"]]
        answers[q["id"]] = (
            list(reversed(answers[q["id"]])) if q["kind"] == "ordering" else wrong[:1]
        )
    return answers


def post_answers(answers, attempt):
    """The quiz form's field names for an answers dict."""
    data = {"attempt": attempt.pk}
    for q in attempt.snapshot:
        chosen = answers[q["id"]]
        if q["kind"] == "ordering":
            for position, cid in enumerate(chosen, start=1):
                data[f"o__{q['id']}__{cid}"] = str(position)
        else:
            data[f"q-{q['id']}"] = chosen if q["kind"] == "multiple" else chosen[0]
    return data


def complete_modules(enrolment, course):
    for module in course.modules:
        if module.completion == "quiz":
            attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
            quiz_attempt_submit(
                enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt)
            )
        else:
            module_complete(enrolment=enrolment, module=module)


def test_enrol_from_the_course_page_and_resume_where_you_left_off(client, learner, course):
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Meld deg på kurset" in html
    response = client.post(reverse("learners:enrol", args=[course.pk]))
    assert response.url == course.modules[0].url
    client.get(course.modules[2].url)
    html = client.get(course.url).content.decode()
    assert "Fortsett der du slapp" in html and f'href="{course.modules[2].url}"' in html
    assert "0 av 4 moduler fullført" in html


def test_the_course_page_marks_no_module_as_you_are_here_for_visitors(client, learner, course):
    for visitor in (None, learner):  # not logged in; logged in but not enrolled
        if visitor:
            client.force_login(visitor)
        html = client.get(course.url).content.decode()
        assert "endra-modules__item--current" not in html
        assert "du er her" not in html
    enrolment_create(user=learner, course=course)
    html = client.get(course.url).content.decode()
    assert html.count("endra-modules__item--current") == 1 and "du er her" in html


def test_a_self_enrolled_learner_can_leave_but_not_an_assigned_one(learner, course):
    enrolment = enrolment_create(user=learner, course=course)
    from learners.services.learning import enrolment_leave

    enrolment_leave(enrolment=enrolment)
    assert Enrolment.objects.get(pk=enrolment.pk).status == "left"
    enrolment = enrolment_create(user=learner, course=course, source="assignment")
    assert enrolment.status == "active"
    with pytest.raises(LearningError) as error:
        enrolment_leave(enrolment=enrolment)
    assert error.value.code == "assigned"


def test_marking_modules_done_shows_progress_and_statuses(client, learner, course):
    client.force_login(learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    manual = [m for m in course.modules if m.completion == "manual"]
    response = client.post(reverse("learners:module_done", args=[manual[0].pk]))
    assert response.status_code == 302
    html = client.get(course.url).content.decode()
    assert "1 av 4 moduler fullført" in html
    assert 'value="25"' in html
    assert "endra-modules__item--done" in html and "endra-modules__item--current" in html


def test_a_quiz_module_is_done_when_its_quiz_is_passed(learner, course):
    enrolment = enrolment_create(user=learner, course=course)
    module = next(m for m in course.modules if m.completion == "quiz")
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt))
    assert ModuleProgress.objects.filter(enrolment=enrolment, module=module).exists()


def test_fail_then_pass_the_final_quiz_completes_the_course_once(
    client, learner, course, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    enrolment = Enrolment.objects.get(user=learner, course=course)
    complete_modules(enrolment, course)
    sent = []
    course_completed.connect(lambda **kw: sent.append(kw["enrolment_id"]), weak=False)
    url = reverse("learners:quiz", args=[course.pk])
    assert client.get(url).status_code == 200
    attempt = QuizAttempt.objects.get(enrolment=enrolment, quiz_page_id=course.pk)
    response = client.post(url, post_answers(wrong_answers(attempt), attempt))
    review = client.get(response.url).content.decode()
    # Two attempts are left: which questions were wrong, but not the right answers yet.
    assert "Ikke bestått denne gangen" in review and "Ikke riktig" in review
    assert "Riktig svar:" not in review
    client.get(url)
    second = QuizAttempt.objects.get(enrolment=enrolment, quiz_page_id=course.pk, number=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_answers(right_answers(second), second))
        client.post(url, post_answers(right_answers(second), second))
    assert "Bestått!" in client.get(response.url).content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.completed_at is not None
    assert sent.count(enrolment.pk) == 1
    assert "Lean i kommunale tjenester" in client.get("/min-laering/").content.decode()


def test_my_learning_says_the_final_quiz_is_left_and_links_straight_to_it(client, learner, course):
    client.force_login(learner)
    enrolment = enrolment_create(user=learner, course=course)
    quiz_url = reverse("learners:quiz", args=[course.pk])
    html = client.get(reverse("learners:my_learning")).content.decode()
    assert "Avsluttende quiz gjenstår" not in html and f'href="{quiz_url}"' not in html

    complete_modules(enrolment, course)
    html = client.get(reverse("learners:my_learning")).content.decode()
    assert "4 av 4 moduler fullført" in html
    assert "Avsluttende quiz gjenstår" in html
    assert f'href="{quiz_url}"' in html
    assert "Ta den avsluttende quizen" in html


def test_unanswered_questions_get_clear_errors_and_no_attempt_is_used(client, learner, course):
    client.force_login(learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    url = reverse("learners:quiz", args=[course.pk])
    client.get(url)
    attempt = QuizAttempt.objects.get(enrolment__user=learner)
    response = client.post(url, {"attempt": attempt.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Noen svar mangler" in html and "Svar på dette spørsmålet." in html
    assert 'aria-describedby="question-1-error"' in html
    attempt.refresh_from_db()
    assert attempt.status == "started"


def test_a_resubmitted_form_gives_the_same_single_result(client, learner, course):
    client.force_login(learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    url = reverse("learners:quiz", args=[course.pk])
    client.get(url)
    attempt = QuizAttempt.objects.get(enrolment__user=learner)
    data = post_answers(wrong_answers(attempt), attempt)
    first = client.post(url, data)
    second = client.post(url, post_answers(right_answers(attempt), attempt))
    assert first.url == second.url
    assert QuizAttempt.objects.filter(enrolment__user=learner, status="submitted").count() == 1
    assert QuizAttempt.objects.get(pk=attempt.pk).passed is False


def test_attempt_limit_and_waiting_time_are_enforced(client, learner, course):
    course.max_attempts, course.wait_minutes = 1, 0
    course.save_revision().publish()
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=wrong_answers(attempt))
    with pytest.raises(LearningError) as error:
        quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    assert error.value.code == "no_attempts_left"
    client.force_login(learner)
    html = client.get(reverse("learners:quiz", args=[course.pk])).content.decode()
    assert "brukt alle forsøkene" in html


def test_questions_and_choices_are_shuffled_per_attempt_and_the_order_is_stored(learner, course):
    course.max_attempts = 0
    course.save_revision().publish()
    enrolment = enrolment_create(user=learner, course=course)
    orders = set()
    for _ in range(4):
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
        orders.add(tuple(attempt.order["questions"]))
        QuizAttempt.objects.filter(pk=attempt.pk).update(status="submitted", passed=False)
        stored = QuizAttempt.objects.get(pk=attempt.pk).order
        assert sorted(stored["questions"]) == sorted(q["id"] for q in attempt.snapshot)
    assert len(orders) > 1


def test_editing_or_deleting_questions_changes_no_past_result_or_review(client, learner, course):
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    attempt = quiz_attempt_submit(
        enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt)
    )
    first_question = attempt.snapshot[0]["text"]
    course.quiz = []
    course.save_revision().publish()
    attempt.refresh_from_db()
    assert attempt.passed is True and attempt.score == 100
    client.force_login(learner)
    html = client.get(reverse("learners:attempt", args=[attempt.pk])).content.decode()
    assert first_question in html and "Bestått!" in html


def test_reflections_are_private_and_editable(client, learner, other_learner, course):
    module = course.modules[0]
    block_id = next(iter(module.reflection_prompts()))
    client.force_login(learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    url = reverse("learners:reflection", args=[module.pk, block_id])
    client.post(url, {f"{block_id}-text": "Vi må snakke med tillitsvalgte først."})
    client.post(url, {f"{block_id}-text": "Vi må snakke med tillitsvalgte og verneombud."})
    assert ReflectionAnswer.objects.get().text.endswith("verneombud.")
    assert "verneombud." in client.get(module.url).content.decode()
    client.force_login(other_learner)
    client.post(reverse("learners:enrol", args=[course.pk]))
    assert "verneombud." not in client.get(module.url).content.decode()


def test_another_learners_attempts_and_progress_give_404(client, learner, other_learner, course):
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt))
    client.force_login(other_learner)
    assert client.get(reverse("learners:attempt", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("learners:leave", args=[course.pk])).status_code == 404
    module = course.modules[0]
    assert client.post(reverse("learners:module_done", args=[module.pk])).status_code == 404
    block_id = next(iter(module.reflection_prompts()))
    url = reverse("learners:reflection", args=[module.pk, block_id])
    assert client.post(url, {f"{block_id}-text": "x"}).status_code == 404
    other = enrolment_create(user=other_learner, course=course)
    other_attempt = quiz_attempt_start(enrolment=other, quiz_page=course)
    response = client.post(
        reverse("learners:quiz", args=[course.pk]), post_answers(right_answers(attempt), attempt)
    )
    assert response.status_code == 404
    assert QuizAttempt.objects.get(pk=other_attempt.pk).status == "started"


def _enrol_in_many(user, count):
    from tests.factories import course_factory

    courses = [course_factory(title=f"Kurs {i}") for i in range(count)]
    for course in courses:
        enrolment_create(user=user, course=course)
    return courses


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_are_the_same_with_1_or_50_enrolments(
    client, learner, course, django_assert_max_num_queries
):
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    urls = [course.url, course.modules[1].url, "/min-laering/"]
    client.get("/min-laering/")  # warm caches (site root, content types)
    with_one = {url: _count_queries(client, url) for url in urls}
    _enrol_in_many(learner, 49)
    for url in urls:
        # New courses are new content: the first request reads the kept pages again.
        client.get(url)
        with django_assert_max_num_queries(with_one[url]):
            assert client.get(url).status_code == 200
    assert _count_queries(client, "/min-laering/") == with_one["/min-laering/"]


def test_userbar_is_for_editors_only(client, learner, course):
    """Wagtail's userbar costs two permission queries: only staff (editors, reviewers,
    admins) get it, learners do not."""
    from learners.models import User

    module = course.modules[0]
    client.force_login(learner)
    assert b"wagtail-userbar" not in client.get(module.url).content
    client.force_login(User.objects.get(email="redaktor@endra.example"))
    assert b"wagtail-userbar" in client.get(module.url).content
