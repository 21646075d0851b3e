"""The HR dashboard over the roll-up: numbers follow moves and leaving at once, the unit
filter lists every unit cheaply and accessibly, foreign units are a 404, the queries do not
grow with the tree, and a roll-up never built or not swept today is put right on reading."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learners.models import (
    AssignmentPerson,
    Membership,
    ProgressRollup,
    ProgressRollupEntry,
    RollupState,
)
from learners.services.assignments import assignment_create
from learners.services.memberships import membership_create
from learners.services.ownership import membership_end
from tests.learners.hr_support import course_make, person, totp_for, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(kommune, annen):
    helse = unit(kommune, "Helse")
    natt = unit(kommune, "Natt & helg", parent=helse)
    skole = unit(kommune, "Skole")
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other = person(annen, unit(annen, "Annen enhet"), name="Otto Annen", is_hr=True)
    totp_for(other)
    return {"helse": helse, "natt": natt, "skole": skole, "hr": hr, "other_hr": other}


def _row(client, url, unit_obj):
    item = client.get(url).context["items"][0]
    return next(row for row in item.rows if row.unit == unit_obj).counts.by_status


def test_the_numbers_follow_a_move_and_leaving_at_once(client, kommune, org):
    kari = person(kommune, org["natt"], name="Kari Nordmann")
    assignment_create(
        municipality=kommune, actor=org["hr"], target="people", course=course_make("Lean"),
        people=[kari], due_date=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    client.force_login(org["hr"])
    home = reverse("hr:dashboard")
    assert _row(client, home, org["helse"])["not_started"] == 1
    membership_create(user=kari, municipality=kommune, org_unit=org["skole"])
    assert _row(client, home, org["helse"])["not_started"] == 0
    assert _row(client, home, org["skole"])["not_started"] == 1
    membership_end(membership=Membership.objects.get(user=kari, municipality=kommune))
    assert client.get(home).context["items"] == []


def test_the_unit_filter_lists_every_unit_escaped_with_its_label(client, kommune, org):
    client.force_login(org["hr"])
    html = client.get(reverse("hr:dashboard"), {"unit": org["natt"].pk}).content.decode()
    label_then_select = r'<label[^>]*for="id_unit"[^>]*>.*?</label>\s*<select([^>]*)>(.*?)</select>'
    select = re.search(label_then_select, html, re.S)
    assert select, "the unit select has its label"
    assert 'name="unit"' in select.group(1) and 'id="id_unit"' in select.group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(2))
    assert [label for _v, _s, label in options] == [
        "Alle enheter", "Helse", "— Natt &amp; helg", "Skole",
    ]  # fmt: skip
    assert [value for value, chosen, _l in options if chosen] == [str(org["natt"].pk)]
    # A unit's page offers the units inside it only, and narrows to the one chosen there.
    response = client.get(reverse("hr:unit", args=[org["helse"].pk]))
    labels = re.findall(r"<option [^>]*>([^<]*)</option>", response.content.decode())
    assert "Skole" not in labels and "— Natt &amp; helg" in labels
    response = client.get(reverse("hr:unit", args=[org["helse"].pk]), {"unit": org["natt"].pk})
    assert response.context["unit"] == org["natt"]


def test_another_municipalitys_unit_is_a_404(client, kommune, org):
    client.force_login(org["other_hr"])
    assert client.get(reverse("hr:unit", args=[org["helse"].pk])).status_code == 404
    assert client.get(reverse("hr:unit_people", args=[org["helse"].pk])).status_code == 404
    # As a filter it is not among the choices: the other municipality's own overview.
    response = client.get(reverse("hr:dashboard"), {"unit": org["helse"].pk})
    assert response.status_code == 200 and response.context["unit"] is None
    assert "Helse" not in response.content.decode()


def _queries(client, url):
    client.get(url)  # warm the per-process caches first
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_dashboard_does_not_query_more_for_a_larger_tree(client, kommune, org):
    course = course_make("Personvern")
    for name in ("A", "B"):
        person(kommune, org["natt"], name=f"Ansatt {name}")
    assignment_create(
        municipality=kommune, actor=org["hr"], target="role", role="learner", course=course
    )
    client.force_login(org["hr"])
    urls = [reverse("hr:dashboard"), reverse("hr:unit", args=[org["helse"].pk])]
    small = [_queries(client, url) for url in urls]
    for index in range(40):
        parent = unit(kommune, f"Sektor {index}", parent=org["helse"])
        person(kommune, unit(kommune, f"Team {index}", parent=parent), name=f"Ny {index}")
    assignment_create(
        municipality=kommune, actor=org["hr"], target="role", role="learner", course=course
    )
    large = [_queries(client, url) for url in urls]
    assert large == small
    item = client.get(urls[1]).context["items"][0]
    assert item.total.total == 2 + 40


def test_a_rollup_never_built_or_not_swept_today_is_put_right_on_reading(client, kommune, org):
    learner = person(kommune, org["skole"], name="Siv Skole")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assignment_create(
        municipality=kommune, actor=org["hr"], target="people", course=course_make("Lean"),
        people=[learner], due_date=timezone.localdate(),
    )  # fmt: skip
    RollupState.objects.filter(pk=kommune.pk).delete()
    ProgressRollup.objects.filter(municipality=kommune).update(count=0)  # as if never built
    client.force_login(org["hr"])
    assert _row(client, reverse("hr:dashboard"), org["skole"])["not_started"] == 1
    assert RollupState.objects.get(pk=kommune.pk).as_of == timezone.localdate()
    # A day passes: the due date was yesterday, and the nightly sweep did not run (the roll-up
    # is as computed yesterday). Reading sweeps: overdue now.
    AssignmentPerson.objects.filter(user=learner).update(due_date=yesterday)
    ProgressRollupEntry.objects.filter(user_id=learner.pk).update(due_date=yesterday)
    RollupState.objects.filter(pk=kommune.pk).update(as_of=yesterday)
    assert _row(client, reverse("hr:dashboard"), org["skole"])["overdue"] == 1
    assert RollupState.objects.get(pk=kommune.pk).as_of == timezone.localdate()
