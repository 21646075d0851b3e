"""Every view has a declared permission.

The test walks Django's URL resolver and requests every named URL as each role. The expected
status for each (URL, role) is written down once, in PERMISSIONS below. A URL that is added
without a row there fails the test: decide who may see it, then add the row.

Roles: anonymous; a learner in Bergen (who owns the enrolment, attempt and certificate used
in the URLs); HR of Trondheim (another municipality); HR of Bergen; an editor (staff, Editors
group, a plain member of Bergen). HR users and the editor have two-factor set up, so the
statuses are the views' own answers, not the two-factor redirect.

Each request runs in a savepoint that is rolled back, so a POST by one role never changes
what the next role sees.
"""

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.documents import get_document_model

from courses import scorm
from courses.models import CoursePage, ModulePage, ScormPackage
from learners.models import AssignmentPerson, Membership, Municipality, OrgUnit, User
from learners.services import certificates as certificate_services
from learners.services.assignments import assignment_create
from learners.services.change import change_agent_set
from learners.services.learning import enrolment_create
from learners.services.ownership import person_bring_into_municipality
from learners.services.quiz import quiz_attempt_start
from learners.services.scorm import scorm_attempt_open
from tests import scorm_packages
from tests.learners.change_support import plan_course, plan_for

ROLES = ("anonymous", "learner", "other_hr", "hr", "editor")
DEMO_EMAILS = {
    "learner": "leder@bergen.example",
    "other_hr": "hr@trondheim.example",
    "hr": "hr@bergen.example",
    "editor": "redaktor@endra.example",
}

# Route prefixes not walked, and why.
SKIPPED_PREFIXES = {
    "admin/": "Wagtail admin: Wagtail's own page and collection permissions (and two-factor)",
    "django-admin/": "Django admin: staff only by Django itself (and two-factor)",
    "konto/": "django-allauth: sign-up, login and account pages are meant for everyone",
    "i18n/": "Django's language switch: public by design, changes only the session",
    "^media/": "local media in DEBUG only; production serves media from storage",
    "static/": "static files",
}
# Named URLs not walked, and why.
SKIPPED_NAMES = {
    "wagtailcore_authenticate_with_password": "Wagtail's form for password-protected pages; "
    "Endra uses no page passwords",
    "wagtaildocs_authenticate_with_password": "Wagtail's form for password-protected "
    "documents; Endra uses no document passwords",
}

A, L, O, H, E = ROLES  # noqa: E741 - column order of the table
# name: (method, {role: status}). 302 for anonymous = sent to log in.
PERMISSIONS: dict[str, tuple[str, dict[str, int]]] = {
    # Public
    "healthz": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "search": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "wagtail_serve": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "wagtailcore_login": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "wagtaildocs_serve": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "learners:municipality_units": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "learners:language": ("POST", {A: 302, L: 302, O: 302, H: 302, E: 302}),
    "certificates:did_json": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "certificates:check": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "certificates:verify": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    "certificates:credential": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    # Any signed-in person, their own data only
    "learners:profile": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:profile_unit": ("POST", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "learners:my_learning": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:my_data": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:my_data_json": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:enrol": ("POST", {A: 302, L: 302, O: 302, H: 302, E: 302}),
    "learners:leave": ("POST", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "learners:module_done": ("POST", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "learners:reflection": ("POST", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "learners:quiz": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:attempt": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:scorm_open": ("POST", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:scorm_data": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    # SCORM package files: public course content by an unguessable key, in a CSP sandbox
    "scorm_file": ("GET", {A: 200, L: 200, O: 200, H: 200, E: 200}),
    # The owner and HR of the certificate's municipality
    "certificates:pdf": ("GET", {A: 302, L: 200, O: 404, H: 200, E: 404}),
    # HR of the municipality only
    "hr:certificate_revoke": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:certificate_reissue": ("POST", {A: 302, L: 404, O: 404, H: 302, E: 404}),
    "hr:person_erase": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:dashboard": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:unit": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:people": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:unit_people": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:person": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:assignments": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:assignment": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:assignment_progress": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:assignment_job_retry": ("POST", {A: 302, L: 404, O: 404, H: 302, E: 404}),
    "hr:assignment_end": ("POST", {A: 302, L: 404, O: 404, H: 302, E: 404}),
    "hr:assignment_person_remove": ("POST", {A: 302, L: 404, O: 404, H: 302, E: 404}),
    "hr:import": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:settings": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:log": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    # Change in practice: plans are the author's own; HR sees aggregates of its municipality
    # (an existing plan: the learner is sent to it)
    "learners:change_plan_create": ("GET", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "learners:change_plan": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:change_plan_edit": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:change_check_in": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    "learners:change_readiness": ("GET", {A: 302, L: 200, O: 404, H: 404, E: 404}),
    # (the change-agent directory is for every member; volunteering acts on oneself)
    "learners:change_agents": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:change_volunteer": ("POST", {A: 302, L: 302, O: 302, H: 302, E: 302}),
    "learners:change_withdraw": ("POST", {A: 302, L: 302, O: 302, H: 302, E: 302}),
    # SCIM: only the municipality's bearer token; a signed-in session is no SCIM client
    **{
        f"scim:{name}": ("GET", {A: 401, L: 401, O: 401, H: 401, E: 401})
        for name in (
            "service_provider_config",
            "resource_types",
            "resource_type",
            "schemas",
            "schema",
            "users",
            "users_search",
            "user",
            "groups",
            "groups_search",
            "group",
            "search_all",
            "not_found",
        )
    },  # fmt: skip
    # Invitations to join a municipality: only the invited person answers (Trondheim invited
    # the Bergen learner)
    "learners:invitations": ("GET", {A: 302, L: 200, O: 200, H: 200, E: 200}),
    "learners:invitation_answer": ("POST", {A: 302, L: 302, O: 404, H: 404, E: 404}),
    "hr:change": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:change_unit": ("GET", {A: 302, L: 404, O: 404, H: 200, E: 404}),
    "hr:change_agents": ("GET", {A: 302, L: 404, O: 200, H: 200, E: 404}),
    "hr:change_agent_remove": ("POST", {A: 302, L: 404, O: 404, H: 302, E: 404}),
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name


def walked_urls() -> dict[str, str]:
    """Named URL patterns to check (name -> route), after the documented skips."""
    found = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(tuple(SKIPPED_PREFIXES)) or name in SKIPPED_NAMES:
            continue
        assert name, f"{route} has no name: name it and add it to PERMISSIONS"
        found.setdefault(name, route)
    return found


def test_every_url_has_a_row_in_the_permission_table():
    missing = sorted(set(walked_urls()) - set(PERMISSIONS))
    assert not missing, f"URLs without a declared permission in PERMISSIONS: {missing}"


@pytest.fixture
def objects(db, settings, tmp_path):
    """A Bergen learner's enrolment, module done, open quiz attempt and certificate; an
    assignment by Bergen HR; a public document."""
    from learners import openbadges as ob

    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERTIFICATE_RATE_LIMIT = (10_000, 60)
    users = {role: User.objects.get(email=email) for role, email in DEMO_EMAILS.items()}
    for role in ("hr", "other_hr", "editor"):
        Authenticator.objects.create(
            user=users[role], type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    learner = users["learner"]
    course = next(c for c in CoursePage.objects.live() if c.has_quiz)
    module = next(m for m in ModulePage.objects.child_of(course).live() if m.reflection_prompts())
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    # Graded as a failed try (the grading itself is tested with the quiz).
    attempt.status, attempt.submitted_at, attempt.score, attempt.passed = (
        "submitted", attempt.started_at, 0, False,
    )  # fmt: skip
    attempt.save()
    enrolment.status, enrolment.completed_at = "completed", attempt.started_at
    enrolment.save()
    certificate = certificate_services.certificate_issue(enrolment=enrolment)
    membership = Membership.objects.get(user=learner)
    assignment = assignment_create(
        municipality=membership.municipality, actor=users["hr"], target="people",
        people=[learner], course=course,
    )  # fmt: skip
    assert AssignmentPerson.objects.filter(assignment=assignment, user=learner).exists()
    from django.core.files.base import ContentFile

    document = get_document_model().objects.create(
        title="Veileder", file=ContentFile(b"%PDF-1.4\n", name="veileder.pdf")
    )
    other_course = CoursePage.objects.live().exclude(pk=course.pk).first()
    with scorm.package_unpack(io.BytesIO(scorm_packages.scorm12_zip())) as unpacked:
        package = ScormPackage(
            version="1.2", title="Pakke", launch=unpacked.manifest.launch, file_count=3, size=1
        )
        scorm.package_store(unpacked, prefix=package.storage_prefix)
        package.save()
    ModulePage.objects.filter(pk=module.pk).update(scorm_package=package)
    scorm_attempt = scorm_attempt_open(
        enrolment=enrolment, module=ModulePage.objects.get(pk=module.pk), package=package
    )
    plan = plan_for(learner, plan_course())
    agent = change_agent_set(
        user=learner, membership=membership, works_on="Turnus", source="volunteer", actor=learner
    )
    unit: OrgUnit = membership.org_unit
    invited = person_bring_into_municipality(
        municipality=Municipality.objects.get(number="5001"), email=learner.email,
        first_name="Ingrid", last_name="Haugland",
    ).invitation  # fmt: skip
    kwargs = {
        "learners:invitation_answer": {"invitation_id": invited.pk},
        "hr:unit": {"unit_id": unit.pk},
        "hr:unit_people": {"unit_id": unit.pk},
        "hr:person": {"user_id": learner.pk},
        "hr:person_erase": {"user_id": learner.pk},
        "hr:assignment": {"assignment_id": assignment.pk},
        "hr:assignment_progress": {"assignment_id": assignment.pk},
        "hr:assignment_job_retry": {"assignment_id": assignment.pk},
        "hr:assignment_end": {"assignment_id": assignment.pk},
        "hr:assignment_person_remove": {"assignment_id": assignment.pk, "user_id": learner.pk},
        "learners:profile_unit": {"membership_id": membership.pk},
        "learners:municipality_units": {"number": "4601"},
        "learners:enrol": {"course_id": other_course.pk},
        "learners:leave": {"course_id": course.pk},
        "learners:module_done": {"module_id": module.pk},
        "learners:reflection": {
            "module_id": module.pk,
            "block_id": next(iter(module.reflection_prompts())),
        },
        "learners:quiz": {"page_id": course.pk},
        "learners:attempt": {"attempt_id": attempt.pk},
        "learners:scorm_open": {"module_id": module.pk},
        "learners:scorm_data": {"attempt_id": scorm_attempt.pk},
        "certificates:verify": {"code": certificate.code},
        "certificates:credential": {"code": certificate.code},
        "certificates:pdf": {"code": certificate.code},
        "hr:certificate_revoke": {"code": certificate.code},
        "hr:certificate_reissue": {"code": certificate.code},
        "learners:change_plan_create": {"course_id": plan.enrolment.course_id},
        "learners:change_plan": {"pk": plan.pk},
        "learners:change_plan_edit": {"pk": plan.pk},
        "learners:change_check_in": {"plan_pk": plan.pk, "pk": plan.check_ins.first().pk},
        "learners:change_readiness": {"course_id": plan.enrolment.course_id},
        "hr:change_unit": {"unit_id": unit.pk},
        "hr:change_agent_remove": {"pk": agent.pk},
        "scim:resource_type": {"pk": "User"},
        "scim:schema": {"pk": "urn:ietf:params:scim:schemas:core:2.0:User"},
        "scim:user": {"pk": "00000000-0000-0000-0000-000000000000"},
        "scim:group": {"pk": "00000000-0000-0000-0000-000000000000"},
        "scim:not_found": {"rest": "Nothing"},
    }
    args = {
        "wagtail_serve": [""],
        "wagtaildocs_serve": [document.pk, "veileder.pdf"],
        "scorm_file": [package.key, "content/index.html"],
    }
    return users, kwargs, args


@pytest.mark.django_db
def test_each_role_gets_the_declared_status_on_every_url(client, objects):
    users, kwargs, args = objects
    wrong = []
    for name in sorted(set(walked_urls()) & set(PERMISSIONS)):  # missing rows: test above
        method, expected = PERMISSIONS[name]
        url = reverse(name, args=args.get(name), kwargs=kwargs.get(name))
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            with transaction.atomic():
                response = client.generic(method, url)
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                wrong.append(
                    f"{name} {method} as {role}: {response.status_code}, declared {expected[role]}"
                )
    assert not wrong, "\n".join(wrong)


def test_every_hr_route_is_in_the_hr_namespace_and_nothing_else_is():
    hr_routes = {name: route for name, route in walked_urls().items() if route.startswith("hr/")}
    assert hr_routes and all(name.startswith("hr:") for name in hr_routes), hr_routes
    others = [name for name, route in walked_urls().items() if not route.startswith("hr/")]
    assert not [name for name in others if name.startswith("hr:")]


@pytest.mark.django_db
def test_hr_view_is_outermost_so_anonymous_is_sent_to_log_in_whatever_the_method(client):
    """hr_view above require_POST: an anonymous GET of a POST-only HR page is a login
    redirect like every other HR page, never a 405 that confirms the route."""
    for name, route in walked_urls().items():
        if not name.startswith("hr:"):
            continue
        for method in ("GET", "POST"):
            response = client.generic(method, _example_url(route))
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(reverse("account_login")), name


def _example_url(route: str) -> str:
    """The route with 1 for each int converter and a fixed code for each str converter."""
    return "/" + re.sub(r"<int:\w+>", "1", re.sub(r"<str:\w+>", "ABCDE", route))


def _hr_grants(role: str) -> list[str]:
    """URLs where the table gives `role` (an HR adviser) more than the editor, a plain
    member of Bergen without an HR role: there the answer shows HR data."""
    return sorted(
        name
        for name in set(walked_urls()) & set(PERMISSIONS)
        if PERMISSIONS[name][1][role] != PERMISSIONS[name][1][E]
    )


def _is_mfa_setup(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("mfa_activate_totp")
    )


@pytest.mark.django_db
def test_every_view_showing_hr_data_needs_two_factor_wherever_it_lives(client, objects):
    """Derived from the table, so a new HR view anywhere (not only under /hr/) is covered."""
    users, kwargs, args = objects
    Authenticator.objects.filter(user__in=[users[H], users[O]]).delete()
    gated = {role: _hr_grants(role) for role in (H, O)}
    assert "certificates:pdf" in gated[H] and "hr:dashboard" in gated[O]
    ungated = []
    for role, names in gated.items():
        client.force_login(users[role])
        for name in names:
            method = PERMISSIONS[name][0]
            url = reverse(name, args=args.get(name), kwargs=kwargs.get(name))
            with transaction.atomic():
                response = client.generic(method, url)
                transaction.set_rollback(True)
            if not _is_mfa_setup(response):
                ungated.append(f"{name} {method} as {role} without TOTP: {response.status_code}")
    assert not ungated, "\n".join(ungated)


@pytest.mark.django_db
def test_a_platform_admin_and_staff_without_two_factor_meet_the_same_gate(client, objects):
    users, kwargs, _args = objects
    admin = User.objects.create_superuser(email="plattform@endra.example", password="x" * 16)
    client.force_login(admin)
    pdf = reverse("certificates:pdf", kwargs=kwargs["certificates:pdf"])
    erase = reverse("hr:person_erase", kwargs=kwargs["hr:person_erase"])
    for url in (pdf, erase, "/admin/", "/django-admin/"):
        assert _is_mfa_setup(client.get(url)), url
    Authenticator.objects.filter(user=users[E]).delete()
    client.force_login(users[E])
    for url in ("/admin/", "/django-admin/"):
        assert _is_mfa_setup(client.get(url)), url
    # Their own data needs nothing more than a login.
    client.force_login(users[L])
    assert client.get(pdf).status_code == 200
