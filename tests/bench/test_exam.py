"""`make bench-exam`'s own parts, without a load run: the preparation makes real learners who can
log in, and the exam flow the locustfile sends (bench/exam_flow.run_exam, the same function)
takes one of them from the login page to a graded attempt through the real views."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password
from django.test import Client

from bench.exam_flow import STEPS, FlowError, quiz_answers, run_exam
from bench.exam_prep import exam_learners_prepare
from learners.models import Enrolment, Membership, QuizAttempt, User


class DjangoClient:
    """exam_flow's client over Django's test client, CSRF checked as in a browser."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nb")
        self.names: list[str] = []

    def get(self, path, name):
        self.names.append(name)
        response = self.client.get(path)
        if response.status_code != 200:
            raise FlowError(f"{name}: {response.status_code}")
        return response.content.decode()

    def post(self, path, name, data, *, location):
        self.names.append(name)
        response = self.client.post(path, data)
        if response.status_code != 302 or not response["Location"].startswith(location):
            raise FlowError(f"{name}: {response.status_code} {response.get('Location')}")
        return response["Location"]


def test_the_preparation_makes_fresh_learners_for_every_step(oslo):
    plan = exam_learners_prepare([2, 3], municipality_number=oslo.number)

    emails = [email for step in plan["steps"] for email in step]
    assert [len(step) for step in plan["steps"]] == [2, 3] and len(set(emails)) == 5
    users = User.objects.filter(email__in=emails)
    assert users.count() == 5
    for user in users:
        assert check_password(plan["password"], user.password)
        assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
        assert Membership.objects.get(user=user).municipality == oslo
        enrolment = Enrolment.objects.get(user=user)
        assert enrolment.status == "active" and enrolment.municipality == oslo
        assert enrolment.course.url == plan["course_url"]
        assert not enrolment.attempts.exists()
    # A second preparation never reuses the first one's people.
    again = exam_learners_prepare([1], municipality_number=oslo.number)
    assert again["steps"][0][0] not in emails and again["password"] != plan["password"]


def test_one_learner_walks_the_locustfile_flow_to_a_graded_attempt(oslo):
    plan = exam_learners_prepare([1], municipality_number=oslo.number)
    email = plan["steps"][0][0]
    client = DjangoClient()
    moments = []

    result = run_exam(
        client,
        email=email,
        password=plan["password"],
        plan=plan,
        before_start=lambda: moments.append("start"),
        think=lambda: moments.append("think"),
    )

    assert client.names == list(STEPS) and moments == ["start", "think"]
    attempt = QuizAttempt.objects.get(enrolment__user__email=email)
    assert attempt.status == "submitted" and attempt.quiz_page_id == plan["quiz_page_id"]
    assert result == f"/laering/forsok/{attempt.pk}/"
    assert set(attempt.answers) == {question["id"] for question in attempt.snapshot}


def test_a_wrong_password_stops_the_flow_at_the_login(oslo):
    plan = exam_learners_prepare([1], municipality_number=oslo.number)
    client = DjangoClient()
    try:
        run_exam(client, email=plan["steps"][0][0], password="feil-passord", plan=plan)
    except FlowError as error:
        assert "login" in str(error)
    else:
        raise AssertionError("a refused login went on to the course")
    assert client.names == ["login page", "login"]


QUIZ_FORM = """
<form method="post" action="/i18n/setlang/"><input type="hidden" name="csrfmiddlewaretoken"
  value="other"><select name="language"><option value="nb">nb</option></select></form>
<form method="post" class="endra-stack">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="attempt" value="42">
  <input type="radio" name="q-a" value="a2" id="x"><input type="radio" name="q-a" value="a1">
  <input type="checkbox" name="q-b" value="b3"><input type="checkbox" name="q-b" value="b1">
  <select name="o__c__c2"><option value="">-</option><option value="1">1</option>
    <option value="2">2</option></select>
  <select name="o__c__c1"><option value="">-</option><option value="1">1</option>
    <option value="2">2</option></select>
</form>"""


def test_the_quiz_form_is_answered_from_the_page_alone():
    # Only the quiz's own form, one choice per question, each ordering statement its own place.
    assert dict(quiz_answers(QUIZ_FORM)) == {
        "csrfmiddlewaretoken": "tok",
        "attempt": "42",
        "q-a": "a2",
        "q-b": "b3",
        "o__c__c2": "1",
        "o__c__c1": "2",
    }
    try:
        quiz_answers("<form><input name='x'></form>")
    except FlowError:
        pass
    else:
        raise AssertionError("a page without the quiz form was answered")
