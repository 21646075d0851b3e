"""`make backup` / `make restore`: a restored copy holds every record and every media file."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from psycopg import sql

from learners.models import AuditLog, Membership, Municipality, OrgUnit, User
from tests.factories import MembershipFactory, MunicipalityFactory, OrgUnitFactory

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="backup and restore use pg_dump/pg_restore: run with DATABASE_URL=postgres://...",
    ),
    # pg_dump reads from its own connection, so the records must be committed. (No
    # serialized_rollback: reloading the migrations' rows clashes with Wagtail's default Site.)
    pytest.mark.django_db(transaction=True),
]


def _url(dbname: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{dbname}"


@pytest.fixture
def fresh_database():
    name = f"endra_restore_{uuid.uuid4().hex[:12]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ops(*args, database: str, media: Path, private: Path):
    env = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(private),
    }
    return subprocess.run(
        [sys.executable, "ops/backup.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_restore_into_a_fresh_database_finds_every_record_and_file(
    fresh_database, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    municipality = MunicipalityFactory(number="9901", name="Backupkommune")
    unit = OrgUnitFactory(municipality=municipality, name="Sikkerhetskopi")
    membership = MembershipFactory(municipality=municipality, org_unit=unit, is_hr=True)
    AuditLog.objects.create(municipality=municipality, action="backup.test", target_id="42")
    stored = default_storage.save("documents/veileder.pdf", ContentFile(b"%PDF-1.7 endra"))
    private = storages["certificates"].save("certificates/a1b2.pdf", ContentFile(b"%PDF bevis"))
    expected = {
        model._meta.db_table: model.objects.count()
        for model in (Municipality, User, OrgUnit, Membership, AuditLog)
    }

    out = _ops(
        "backup",
        "--destination",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        media=settings.MEDIA_ROOT,
        private=settings.PRIVATE_MEDIA_ROOT,
    )
    (backup,) = (tmp_path / "backups").iterdir()
    assert f"Backup written to {backup}" in out.stdout
    _ops(
        "restore",
        str(backup),
        database=fresh_database,
        media=tmp_path / "restored",
        private=tmp_path / "restored_private",
    )

    with psycopg.connect(_url(fresh_database)) as conn:
        for table, count in expected.items():
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            assert conn.execute(query).fetchone() == (count,), table
        assert conn.execute(
            "SELECT u.email, m.is_hr, o.name FROM learners_membership m"
            " JOIN learners_user u ON u.id = m.user_id"
            " JOIN learners_orgunit o ON o.id = m.org_unit_id WHERE m.id = %s",
            [membership.pk],
        ).fetchone() == (membership.user.email, True, "Sikkerhetskopi")
        assert conn.execute(
            "SELECT action, target_id FROM learners_auditlog WHERE municipality_id = %s",
            [municipality.pk],
        ).fetchall() == [("backup.test", "42")]
    assert (tmp_path / "restored" / stored).read_bytes() == b"%PDF-1.7 endra"
    assert (tmp_path / "restored_private" / private).read_bytes() == b"%PDF bevis"
    assert not (tmp_path / "restored" / private).exists()
