"""Django's database sessions, read with one prepared statement.

Every signed-in request reads its session; Django builds that query with the ORM each time
(about half a millisecond of Python before the database sees it). This store reads the same
row with the same condition (not expired) as a prepared statement on PostgreSQL
(learners.lib.prepared); writing, expiry and clearing are Django's own."""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

from learners.lib.prepared import server_prepared


class _Row:
    def __init__(self, session_data: str):
        self.session_data = session_data


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        database = connections[router.db_for_read(model)]
        table = database.ops.quote_name(model._meta.db_table)
        try:
            key = self.session_key  # may raise SuspiciousOperation, as Django's lookup does
            if not key:
                raise model.DoesNotExist
            now = database.ops.adapt_datetimefield_value(timezone.now())
            with server_prepared(), database.cursor() as cursor:
                cursor.execute(
                    f"SELECT session_data FROM {table} "  # noqa: S608  # nosec B608
                    "WHERE session_key = %s AND expire_date > %s",
                    [key, now],
                )
                row = cursor.fetchone()
            if row is None:
                raise model.DoesNotExist
            return _Row(row[0])
        except (model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
            return None
