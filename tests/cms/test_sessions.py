"""The session store (config.sessions) reads Django's session rows as Django does: a live
session signs the person in, an expired, unknown or ended one does not."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from config.sessions import SessionStore
from tests.factories import MembershipFactory


def test_a_live_session_signs_in_and_an_expired_or_ended_one_does_not(client, bergen):
    user = MembershipFactory(municipality=bergen).user
    client.force_login(user)
    assert client.get("/min-laering/").status_code == 200
    key = client.cookies["sessionid"].value
    assert SessionStore(key).load()  # the row, read by the prepared statement

    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/min-laering/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]

    client.force_login(user)
    assert client.get("/min-laering/").status_code == 200
    client.post("/konto/logout/")
    assert client.get("/min-laering/").status_code == 302


def test_an_unknown_or_malformed_key_is_an_empty_session(db):
    live = SessionStore()
    live["hello"] = "hei"
    live.create()
    for key in ("finnes-ikke-" + "x" * 20, "kort", "", "'; DELETE FROM django_session; --" * 2):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None
    assert SessionStore(live.session_key).load() == {"hello": "hei"}
