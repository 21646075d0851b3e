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


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport=DESKTOP, locale="nb-NO", base_url=site.url)
    context.set_default_timeout(5_000)
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
        page.screenshot(path=folder / f"{name}-desktop.png", full_page=True)
        page.set_viewport_size(MOBILE)
        page.screenshot(path=folder / f"{name}-mobile.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return take


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def check_a11y(page) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page; fail on any violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated over the DevTools protocol, not as a <script> tag, so the site's own
        # Content-Security-Policy stays switched on for everything else in the test.
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
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
