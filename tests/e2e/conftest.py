"""End-to-end tests: the real app served by pytest-django's live server, driven by Chromium.

We drive Debian's Chromium (installed by `make install-browser`) rather than Playwright's own
browser download, which is not available on the CI machines. Every page a journey visits is
checked with axe-core and photographed at desktop and phone width.
"""

import functools
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.inflight import wait_until_idle

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}


def _missing(what: str, fix: str) -> None:
    """Fail on CI, where a missing browser means a broken build; skip on a bare laptop."""
    message = f"End-to-end tests need {what}. {fix}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def _serialized_db_contents(django_db_setup, django_db_blocker):
    """The test database's contents as Django serialized them after migrating.

    Taken before Playwright starts: once its event loop runs in this thread, Django's
    connection handler (an asgiref Local) hands out fresh connection objects that lack the
    serialized copy, and serialized rollback would silently restore nothing.
    """
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(autouse=True)
def _serialized_rollback_survives_playwright(_serialized_db_contents):
    from django.db import connections

    for alias, contents in _serialized_db_contents.items():
        connections[alias]._test_serialized_contents = contents


@pytest.fixture(scope="module")
def browser(_serialized_db_contents):
    """Chromium for one test module.

    Playwright's sync API keeps an event loop running in this thread, so Django refuses the
    ORM calls tests and fixtures make between browser steps. They are sequential, not
    concurrent, so the guard protects nothing here; we lift it only while Playwright runs
    (per module, so later non-browser tests and their subprocesses keep the guard).
    """
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(
            f"Chromium at {CHROMIUM}", "Run `make install-browser` (apt-get install chromium)."
        )
    if not AXE_JS.is_file():
        _missing(f"axe-core at {AXE_JS}", "Run `make install-frontend` (npm ci).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, transactional_db):
    """The demo site in a transactional database the live server's thread can see.

    Every transactional test ends by emptying the tables, so seed_demo rebuilds everything
    (Wagtail's root, the municipalities, topics, pages, users) from scratch each time.
    """
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


E2E_TIMEOUT_MS = int(os.environ.get("E2E_TIMEOUT_MS", "180000"))


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", base_url=site.url)
    # Wait for the server's answer, however busy the machine: a fixed few seconds failed on
    # slower machines (a 200-row import commits in one request). E2E_TIMEOUT_MS shortens it.
    context.set_default_timeout(E2E_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A template that breaks the Content-Security-Policy only shows up in the console.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and errors.append(message.text)
        ),
    )
    yield page
    context.close()
    # The server may still be answering the last step (the browser gave up on it when the
    # context closed): let it finish before the test's database is emptied.
    assert wait_until_idle(E2E_TIMEOUT_MS / 1000), "the live server never finished a request"
    assert not errors, f"JavaScript or CSP errors in the page: {errors}"


@pytest.fixture
def screenshot(page, request):
    """Photograph the current page at desktop width and at 375 px, for people to look at."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(step: str) -> None:
        name = f"{next(counter):02d}-{step}"
        # Long pages (a 200-row import preview) take longer than the default 5 s to shoot.
        page.screenshot(path=folder / f"{name}-desktop.png", full_page=True, timeout=30_000)
        page.set_viewport_size(MOBILE)
        page.screenshot(path=folder / f"{name}-mobile.png", full_page=True, timeout=30_000)
        page.set_viewport_size(DESKTOP)

    return take


# Our axe-core instance lives under its own name. axe-core sets window.axe, and Wagtail's
# userbar (shown to staff on every page) loads an axe of its own and runs it on load; one
# instance refuses a second run while the first is going, which a busy machine makes happen.
AXE = "__endraAxe"


@functools.cache
def _axe_source() -> str:
    """axe-core, evaluated so that it ends up at window[AXE] and leaves window.axe as it was."""
    source = AXE_JS.read_text(encoding="utf-8")
    return (
        "(() => { const had = 'axe' in window, before = window.axe;\n"
        f"{source}\n"
        f"window.{AXE} = window.axe; if (had) window.axe = before; else delete window.axe; }})()"
    )


def check_a11y(page) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page; fail on any violation."""
    if not page.evaluate(f"typeof window.{AXE} !== 'undefined'"):
        # Evaluated over the DevTools protocol, not as a <script> tag, so the site's own
        # Content-Security-Policy stays switched on for everything else in the test.
        page.evaluate(_axe_source())
    result = page.evaluate(
        f"tags => window.{AXE}.run(document, {{runOnly: {{type: 'tag', values: tags}}}})",
        AXE_TAGS,
    )
    violations = result["violations"]
    report = [
        f"- {v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in violations
    ]
    assert not violations, f"axe found WCAG violations on {page.url}:\n" + "\n".join(report)


def login(page, email: str, password: str) -> None:
    """Log in through the real allauth form."""
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


@pytest.fixture(name="check_a11y")
def check_a11y_fixture():
    return check_a11y


@pytest.fixture(name="login")
def login_fixture():
    return login


# --- Shared journey helpers ---------------------------------------------------------------

DEMO_PASSWORD = "endra-demo-2026"  # noqa: S105 - the demo seed's published password


@pytest.fixture
def visit(page, screenshot):
    """Call on every page a journey shows: axe-core's WCAG A/AA rules, then desktop and
    phone screenshots."""

    def check(step: str) -> None:
        check_a11y(page)
        screenshot(step)
        assert_no_sideways_scroll(page)

    return check


def assert_no_sideways_scroll(page, width: int = MOBILE["width"]) -> None:
    """At phone width (375 px unless told) nothing may stick out sideways (WCAG 1.4.10
    reflow); wide tables scroll inside their own wrapper."""
    page.set_viewport_size({**MOBILE, "width": width})
    try:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(
            """limit => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit)
                .slice(-5)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                           + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')""",
            width,
        )
    finally:
        page.set_viewport_size(DESKTOP)
    assert scroll_width <= width, (
        f"{page.url} is {scroll_width} px wide on a {width} px phone; sticking out: {culprits}"
    )


def member_create(
    email: str,
    *,
    first_name: str = "Nora",
    last_name: str = "Nyleder",
    municipality: str = "4601",
    unit: tuple[str, ...] = ("Helse og omsorg", "Hjemmetjenesten Fana"),
    password: str = DEMO_PASSWORD,
    is_hr: bool = False,
):
    """A user with a verified address and a membership, ready to log in."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from learners.models import Municipality
    from learners.services.memberships import membership_create
    from learners.services.org import org_unit_ensure_path

    user = get_user_model().objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    place = Municipality.objects.get(number=municipality)
    org_unit = org_unit_ensure_path(municipality=place, names=list(unit)) if unit else None
    membership_create(user=user, municipality=place, org_unit=org_unit, is_hr=is_hr)
    return user


def totp_code(secret: str) -> str:
    """The current RFC 6238 code for `secret`, computed the way allauth checks it."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def totp_enable(email: str) -> str:
    """Give the user a TOTP authenticator straight in the database; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    secret = generate_totp_secret()
    TOTP.activate(get_user_model().objects.get(email=email), secret)
    return secret


def login_with_totp(page, email: str, password: str, secret: str) -> None:
    """Log in, then answer allauth's second step with a code from the authenticator."""
    login(page, email, password)
    page.get_by_label("Kode").fill(totp_code(secret))
    page.get_by_role("main").get_by_role("button").first.click()
    page.wait_for_load_state()


def open_attempt(email: str, quiz_page_id: int):
    """The learner's started attempt at a quiz: its snapshot holds the right answers, which
    the browser never sees."""
    from learners.models import QuizAttempt

    return QuizAttempt.objects.get(
        enrolment__user__email=email, quiz_page_id=quiz_page_id, status="started"
    )


def intended_answers(attempt, *, right: bool) -> list[tuple[int, dict, list[str]]]:
    """(position on the page, question, choice texts to give) for every question; all right
    or all wrong. For ordering questions the texts are in the order to give them."""
    by_id = {q["id"]: q for q in attempt.snapshot}
    plan = []
    for number, qid in enumerate(attempt.order["questions"], start=1):
        question = by_id[qid]
        choices = question["choices"]
        if question["kind"] == "ordering":
            texts = [c["text"] for c in (choices if right else reversed(choices))]
        else:
            correct = [c["text"] for c in choices if c["correct"]]
            wrong = [c["text"] for c in choices if not c["correct"]]
            texts = correct if right else wrong[:1]
        plan.append((number, question, texts))
    return plan


def quiz_answer(page, attempt, *, right: bool) -> None:
    """Fill in the quiz form on the page, all answers right or all wrong."""
    for number, question, texts in intended_answers(attempt, right=right):
        fieldset = page.locator(f"#question-{number}")
        if question["kind"] == "ordering":
            for place, text in enumerate(texts, start=1):
                fieldset.get_by_label(text, exact=True).select_option(label=f"Plass {place}")
        else:
            for text in texts:
                fieldset.get_by_label(text, exact=True).check()


def course_complete(email: str, course) -> None:
    """Take `course` to completion through the learning services, as a learner would: enrol,
    mark manual modules done, pass every quiz."""
    from django.contrib.auth import get_user_model

    from learners.models import Enrolment
    from learners.services.learning import enrolment_create, module_complete
    from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit

    user = get_user_model().objects.get(email=email)
    enrolment = enrolment_create(user=user, course=course)

    def pass_quiz(quiz_page) -> None:
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=quiz_page)
        answers = {
            q["id"]: [c["id"] for c in q["choices"] if c["correct"] or q["kind"] == "ordering"]
            for q in attempt.snapshot
        }
        quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=answers)

    for module in course.modules:
        if module.completion == "quiz":
            pass_quiz(module)
        else:
            module_complete(enrolment=enrolment, module=module)
    if course.has_quiz:
        pass_quiz(course)
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert enrolment.completed_at is not None, f"{course.title} not completed for {email}"


def focus_ring(page) -> str:
    """The focused element's outline or box-shadow, whichever draws its focus ring; empty
    when there is none to see."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                return 'outline ' + style.outlineWidth + ' ' + style.outlineColor;
            return style.boxShadow === 'none' ? '' : 'box-shadow ' + style.boxShadow;
        }"""
    )
