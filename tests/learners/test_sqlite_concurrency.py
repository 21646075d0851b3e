"""The embedded SQLite default under parallel load: 20 learners submit a quiz at the same
moment against a SQLite file and every one gets an answer, none a "database is locked"."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_parallel_quiz_submissions_on_a_sqlite_file_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'endra.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private_media"),
        "THREADS": "20",
    }
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "tests/sqlite_concurrency.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["statuses"] == [302] * 20
    assert report["journal_mode"] == "wal"
