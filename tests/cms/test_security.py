"""Security headers on every response and login throttling with a per-account lockout."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from config.csp import EndraCSPMiddleware, _widget_script_hashes
from tests.factories import PASSWORD, UserFactory


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_public_page_has_a_strict_content_security_policy(client, db):
    csp = _directives(client.get(reverse("account_login")))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]


def test_public_page_forbids_framing_sniffing_and_cross_site_referrers(client, db):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _policy_for(path: str, html: str = "", **headers) -> dict[str, list[str]]:
    # The middleware alone: the admin itself now first asks staff to set up two-factor login.
    response = HttpResponse(html, headers=headers)
    return _directives(EndraCSPMiddleware(lambda request: response)(RequestFactory().get(path)))


def test_admin_allows_inline_styles_and_wagtail_date_widgets_but_no_other_inline_script():
    widget = '<script>initDateChooser("id_go_live_at", {"format": "Y-m-d"});</script>'
    csp = _policy_for("/admin/pages/", widget + "<script>alert(1)</script>")
    assert "'unsafe-inline'" in csp["style-src"]
    assert csp["script-src"] == ["'self'", *_widget_script_hashes(widget)]
    assert len(csp["script-src"]) == 2
    assert csp["frame-ancestors"] == ["'none'"]


def test_public_pages_get_no_admin_exceptions():
    widget = '<script>initDateChooser("id_go_live_at", {"format": "Y-m-d"});</script>'
    csp = _policy_for("/kurs/", widget)
    assert csp["style-src"] == ["'self'"] and csp["script-src"] == ["'self'"]


def test_wagtail_preview_may_be_framed_by_the_admin_only():
    csp = _policy_for("/admin/pages/3/edit/preview/", **{"X-Frame-Options": "SAMEORIGIN"})
    assert csp["frame-ancestors"] == ["'self'"]


def test_only_wagtail_date_widget_calls_with_pure_data_get_a_hash():
    widget = '<script>initDateChooser("id_go_live_at", {"format": "Y-m-d"});</script>'
    assert len(_widget_script_hashes(widget)) == 1
    assert _widget_script_hashes('<script>initDateChooser("x", {"a": alert(1)});</script>') == []
    assert _widget_script_hashes("<script>alert(1)</script>") == []


@pytest.fixture
def clean_rate_limits():
    # allauth counts failures in the cache; tests share it, so start and end empty.
    cache.clear()
    yield
    cache.clear()


def _log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sixth_wrong_password_locks_the_account_even_with_the_right_password(
    client, db, clean_rate_limits
):
    user = UserFactory()
    for _ in range(5):
        response = _log_in(client, user.email, "feil-passord")
        assert response.status_code == 200 and "_auth_user_id" not in client.session

    response = _log_in(client, user.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    with translation.override("nb"):
        message = translation.gettext("Too many failed login attempts. Try again later.")
    assert message != "Too many failed login attempts. Try again later."  # it is Norwegian
    assert message in response.content.decode()


def test_lockout_is_per_account_so_others_can_still_log_in(client, db, clean_rate_limits):
    locked, other = UserFactory(), UserFactory()
    for _ in range(5):
        _log_in(client, locked.email, "feil-passord")

    response = _log_in(client, other.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_right_password_within_the_limit_logs_in(client, db, clean_rate_limits):
    user = UserFactory()
    for _ in range(4):
        _log_in(client, user.email, "feil-passord")

    response = _log_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_audit_fails_on_a_known_vulnerability():
    from ops.audit import verdict

    report = {
        "dependencies": [
            {"name": "django", "version": "3.2.0", "vulns": [{"id": "PYSEC-2021-98"}]},
            {"name": "wagtail", "version": "8.0.1", "vulns": []},
        ]
    }
    code, line = verdict(report)
    assert code == 1 and "FAILED" in line and "django 3.2.0 (PYSEC-2021-98)" in line


def test_audit_skips_with_a_clear_line_when_the_service_answers_for_nothing():
    from ops.audit import verdict

    report = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found"}]}
    code, line = verdict(report)
    assert code == 0 and line.startswith("pip-audit: SKIPPED") and "nothing was checked" in line


def test_audit_passes_when_every_package_was_checked_and_is_clean():
    from ops.audit import verdict

    report = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
    assert verdict(report) == (0, "pip-audit: ok: no known vulnerabilities in 1 packages.")


def test_admin_logins_go_through_the_throttled_allauth_login(client, db):
    for path in ("/admin/login/?next=/admin/", "/django-admin/login/?next=/django-admin/"):
        response = client.post(path, {"username": "admin@endra.example", "password": "x"})
        assert response.status_code in (301, 302)
        assert response.url.startswith("/konto/login/")
        assert "next=" in response.url
    assert client.get("/admin/").url.startswith("/konto/login/")


PRODUCTION_HASHERS = [
    "config.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_the_production_settings_hash_with_argon2id_at_owasp_parameters(settings):
    from django.contrib.auth.hashers import identify_hasher, make_password

    from config.settings import base

    assert base.PASSWORD_HASHERS == PRODUCTION_HASHERS
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("et-langt-passord")
    hasher = identify_hasher(encoded)
    params = hasher.decode(encoded)
    assert hasher.algorithm == "argon2" and params["variety"] == "argon2id"
    assert (params["memory_cost"], params["time_cost"], params["parallelism"]) == (19456, 2, 1)


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_login(
    client, db, settings, clean_rate_limits
):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = _log_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_whole_office_behind_one_address_can_log_in_at_once(client, db, clean_rate_limits):
    # 60 colleagues from one NAT address within a minute (allauth's default allows 30).
    users = UserFactory.create_batch(60)
    for user in users:
        client.logout()
        response = _log_in(client, user.email, PASSWORD)
        assert response.status_code == 302, f"login {users.index(user) + 1} was refused"
        assert client.session["_auth_user_id"] == str(user.pk)


def _log_in_from(client, address, email, password):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_a_proxy_the_lockout_follows_the_account_from_any_address(
    client, db, clean_rate_limits, settings
):
    # TRUSTED_PROXY_COUNT=1 (a deployment behind one proxy; make bench-exam sets it too):
    # addresses come from X-Forwarded-For, yet five failures from five addresses still lock.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for n in range(5):
        _log_in_from(client, f"10.0.{n}.1", user.email, "feil-passord")

    response = _log_in_from(client, "10.0.99.1", user.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_behind_a_proxy_each_office_address_has_its_own_login_limit(
    client, db, clean_rate_limits, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    users = UserFactory.create_batch(4)
    for user in users[:2]:
        client.logout()
        assert _log_in_from(client, "10.1.0.1", user.email, PASSWORD).status_code == 302

    client.logout()
    assert _log_in_from(client, "10.1.0.1", users[2].email, PASSWORD).status_code == 429
    assert _log_in_from(client, "10.2.0.1", users[3].email, PASSWORD).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(
    client, db, clean_rate_limits, settings
):
    # The default: a client cannot escape the per-address limit by sending X-Forwarded-For.
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    users = UserFactory.create_batch(3)
    for n, user in enumerate(users[:2]):
        client.logout()
        assert _log_in_from(client, f"10.3.{n}.1", user.email, PASSWORD).status_code == 302

    client.logout()
    assert _log_in_from(client, "10.3.9.1", users[2].email, PASSWORD).status_code == 429
