"""One learner's exam, as `make bench-exam` drives it: the paths, the forms and the order.

Shared by the locustfile (bench/locustfile_exam.py) and its test, so the test walks exactly the
sequence the load test sends. No Django here: this runs inside locust's gevent process.

    1. GET  the login page, POST e-mail and password          -> "login"
    2. GET  the course page, GET the quiz module's page        -> "course", "module"
    3. wait for the common start moment (everyone together)
    4. GET  the quiz: starts the attempt and shows the form    -> "quiz start"
    5. think (30-90 s by default: reading and answering)
    6. POST the answers (302 to the result), GET the result    -> "submit", "result"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol

LOGIN_PATH = "/konto/login/"
AFTER_LOGIN_PATH = "/min-laering/"  # where a learner lands
RESULT_PREFIX = "/laering/forsok/"  # the attempt's review page after a submission

# name in the statistics -> what the step is; the results table keeps this order.
STEPS = {
    "login page": "GET the login form",
    "login": "POST e-mail and password (Argon2id check, session)",
    "course": "GET the course page",
    "module": "GET the quiz module's page",
    "quiz start": "GET the quiz: a new attempt and its form",
    "submit": "POST the answers: graded and saved",
    "result": "GET the attempt's result",
}


class FlowError(Exception):
    """A step answered other than a learner's browser expects (already counted as a failure)."""


@dataclass
class Form:
    attrs: dict[str, str]
    # (name, type, value) of every <input>, in page order
    inputs: list[tuple[str, str, str]] = field(default_factory=list)
    # name -> option values of every <select>
    selects: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs=a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form.inputs.append((a["name"], a.get("type", "text"), a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._form.selects[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def login_fields(html: str, email: str, password: str) -> dict[str, str]:
    """The login form's fields filled in (its CSRF token included)."""
    for form in forms(html):
        names = {name for name, _type, _value in form.inputs}
        if "login" in names and "password" in names:
            fields = {name: value for name, kind, value in form.inputs if kind == "hidden"}
            fields.update(login=email, password=password)
            return fields
    raise FlowError("no login form on the page")


def quiz_answers(html: str) -> list[tuple[str, str]]:
    """The quiz form answered as a hurried learner would: the first choice of every single and
    multiple choice question, the statements of an ordering question in the order shown.
    The browser never sees which answers are right, so neither does the load test."""
    for form in forms(html):
        if not any(name == "attempt" for name, _type, _value in form.inputs):
            continue
        fields: list[tuple[str, str]] = []
        answered: set[str] = set()
        for name, kind, value in form.inputs:
            if kind == "hidden":
                fields.append((name, value))
            elif kind in ("radio", "checkbox") and name not in answered:
                fields.append((name, value))
                answered.add(name)
        places: dict[str, int] = {}
        for name, options in form.selects.items():
            question = name.split("__")[1] if name.startswith("o__") else name
            places[question] = places.get(question, 0) + 1
            place = str(places[question])
            fields.append((name, place if place in options else options[-1]))
        return fields
    raise FlowError("no quiz form on the page")


class ExamClient(Protocol):
    """What the flow needs from an HTTP client: locust's (bench/locustfile_exam.py) or
    Django's test client (the test). Both raise FlowError on an unexpected answer."""

    def get(self, path: str, name: str) -> str:
        """GET `path`, expect 200, return the page."""
        ...

    def post(self, path: str, name: str, data: dict[str, str], *, location: str) -> str:
        """POST the form, expect a redirect under `location`, return where it points."""
        ...


def run_exam(
    client: ExamClient,
    *,
    email: str,
    password: str,
    plan: dict,
    before_start: Callable[[], None] = lambda: None,
    think: Callable[[], None] = lambda: None,
) -> str:
    """One learner's exam, step by step (see the top of this module); returns the result's
    path. `plan` is the preparation's output (course_url, module_url, quiz_url)."""
    page = client.get(LOGIN_PATH, "login page")
    client.post(LOGIN_PATH, "login", login_fields(page, email, password), location=AFTER_LOGIN_PATH)
    client.get(plan["course_url"], "course")
    client.get(plan["module_url"], "module")
    before_start()
    quiz = client.get(plan["quiz_url"], "quiz start")
    answers = dict(quiz_answers(quiz))
    think()
    result = client.post(plan["quiz_url"], "submit", answers, location=RESULT_PREFIX)
    client.get(result, "result")
    return result
