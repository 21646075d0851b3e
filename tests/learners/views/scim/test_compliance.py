"""scim2-tester, the python-scim project's compliance checker, runs its checks against Endra's
/scim/v2/ in the test process (WSGI client, no port), with a Bergen token."""

import random
import uuid

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import check_server, filling
from scim2_tester.utils import Status

from learners.services.scim import scim_token_issue

pytestmark = pytest.mark.django_db

FAILED = {Status.ERROR, Status.CRITICAL}


@pytest.fixture
def bergen_token(db):
    from learners.models import Municipality

    return scim_token_issue(municipality=Municipality.objects.get(number="4601"), actor=None)


@pytest.fixture
def wsgi_app():
    """Endra's WSGI application, keeping the test's database connection (and transaction)
    open across requests, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class _SeededUUID:
    """The checker's uuid4, drawn from a seeded generator: its random values (names built from
    UUIDs) are the same on every run, so a run cannot fail by chance on a value Endra refuses
    on purpose (a name whose digits read as an identity number)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def test_scim2_tester_passes_every_check_for_what_endra_offers(
    wsgi_app, bergen_token, capsys, monkeypatch
):
    monkeypatch.setattr(filling, "random", random.Random(2026))
    monkeypatch.setattr(filling, "uuid", _SeededUUID(random.Random(2027)))
    client = WSGISCIMClient(
        wsgi_app,
        base_url="http://testserver/scim/v2",
        headers={"Authorization": f"Bearer {bergen_token}"},
    )
    results = check_server(client)
    with capsys.disabled():
        print(f"\nscim2-tester ran {len(results)} checks:")
        for result in results:
            print(
                f"  {result.status.name:10} {result.resource_type or '-':6} {result.title}"
                + (f": {result.reason}" if result.status in FAILED else "")
            )
    failed = [r for r in results if r.status in FAILED]
    assert not failed
    passed = {(r.resource_type, r.title) for r in results if r.status == Status.SUCCESS}
    # The features Endra offers were checked, not skipped: discovery, and for both resource
    # types creation, reading, replacement, PATCH add/replace/remove and deletion.
    assert {(None, "service_provider_config_endpoint"), (None, "query_all_schemas")} <= passed
    for kind in ("User", "Group"):
        for title in (
            "object_creation",
            "object_query",
            "object_replacement",
            "object_deletion",
            "check_add_attribute",
            "check_replace_attribute",
            "check_remove_attribute",
        ):
            assert (kind, title) in passed, (kind, title)
