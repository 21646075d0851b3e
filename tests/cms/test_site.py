import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from learners.models import Membership, OrgUnit, User


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    return (User.objects.count(), OrgUnit.objects.count(), Membership.objects.count())


def test_seed_demo_is_idempotent_and_prints_logins(db, capsys):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    out = capsys.readouterr().out
    assert "leder@bergen.example" in out and "hr@bergen.example" in out
    assert "redaktor@endra.example" in out


def test_make_run_prints_the_admin_address_with_its_own_port(db, capsys):
    root = Path(__file__).resolve().parents[2]
    plan = subprocess.run(
        ["make", "-n", "seed", "PORT=8123"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "seed_demo --site-url http://127.0.0.1:8123" in plan
    call_command("seed_demo", "--site-url", "http://127.0.0.1:8123")
    assert "admin: http://127.0.0.1:8123/admin/" in capsys.readouterr().out


def test_home_page_is_norwegian_with_landmarks_and_footer_links(client, demo):
    html = client.get("/").content.decode()
    assert '<html lang="nb"' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "Hopp til hovedinnholdet" in html
    assert "Tilgjengelighetserklæring" in html and "Personvernerklæring" in html


def test_catalogue_is_reachable_and_empty_before_courses(client, demo):
    response = client.get("/kurs/")
    assert response.status_code == 200
    assert "Kurs" in response.content.decode()


def test_english_can_be_chosen(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html and "Skip to main content" in html


def test_healthz_reports_database_and_broker(client, db, settings):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"] == "ok"
    if settings.CELERY_BROKER_URL:
        assert body["checks"]["broker"] == "ok"


def test_healthz_names_the_broker_when_it_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64 + "-a-long-random-production-key",
        "ALLOWED_HOSTS": "endra.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_tasks_are_json_only_acked_late_and_time_limited():
    from config.celery import app

    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit


def test_norwegian_is_shown_even_when_the_browser_prefers_english(client, demo):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nb"' in html
