"""Back up and restore Endra: the PostgreSQL database plus the media and private files.

    make backup                                  # -> backups/<UTC timestamp>/
    make restore BACKUP=backups/20260101T020000Z DATABASE_URL=postgres://.../endra_restored

A backup is a directory with `db.dump` (pg_dump custom format), `media.tar.gz` (the
whole MEDIA_ROOT) and `private_media.tar.gz` (the whole PRIVATE_MEDIA_ROOT: certificate
PDFs). Restore loads the dump into the database DATABASE_URL names (which must exist;
objects already there are replaced) and unpacks each archive into its root.
The database comes from DATABASE_URL, media from MEDIA_ROOT (default ./media), private files
from PRIVATE_MEDIA_ROOT (default ./private_media), as for the application. Media on
object storage (S3) is not covered: back that up with the bucket's own versioning.
Needs pg_dump/pg_restore of the server's major version or newer.
"""

import argparse
import os
import subprocess  # nosec B404 - runs pg_dump/pg_restore with fixed arguments
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_FILE = "db.dump"
MEDIA_FILE = "media.tar.gz"
PRIVATE_MEDIA_FILE = "private_media.tar.gz"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "backup/restore need PostgreSQL: set DATABASE_URL=postgres://... "
            "(the SQLite file of `make run` is just db.sqlite3: copy it)."
        )
    return url


def _media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT", ROOT / "media"))


def _private_media_root() -> Path:
    return Path(os.environ.get("PRIVATE_MEDIA_ROOT", ROOT / "private_media"))


def _pack(root: Path, archive_path: Path) -> None:
    with tarfile.open(archive_path, "w:gz") as archive:
        if root.is_dir():
            archive.add(root, arcname=".")


def _unpack(archive_path: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(root, filter="data")  # refuses absolute paths and ../


def backup(destination: Path) -> Path:
    """Dump the database and pack the media into a new directory under `destination`."""
    url = _database_url()
    target = destination / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True)
    subprocess.run(  # noqa: S603  # nosec B603
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target / DB_FILE}", url],  # noqa: S607
        check=True,
    )
    _pack(_media_root(), target / MEDIA_FILE)
    _pack(_private_media_root(), target / PRIVATE_MEDIA_FILE)
    print(f"Backup written to {target}")
    return target


def restore(source: Path) -> None:
    """Load a backup's dump into DATABASE_URL and unpack its media into MEDIA_ROOT."""
    url = _database_url()
    if not (source / DB_FILE).is_file():
        sys.exit(f"{source} is not a backup: {DB_FILE} is missing.")
    subprocess.run(  # noqa: S603  # nosec B603
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]  # noqa: S607
        + ["--single-transaction", "--exit-on-error", f"--dbname={url}", source / DB_FILE],
        check=True,
    )
    media, private = _media_root(), _private_media_root()
    _unpack(source / MEDIA_FILE, media)
    if (source / PRIVATE_MEDIA_FILE).is_file():  # backups from before private files had none
        _unpack(source / PRIVATE_MEDIA_FILE, private)
    print(f"Restored {source} into the database, {media} and {private}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write backups/<timestamp>/")
    make.add_argument("--destination", type=Path, default=ROOT / "backups")
    load = commands.add_parser("restore", help="restore a backup directory")
    load.add_argument("backup", type=Path)
    args = parser.parse_args(argv)
    if args.command == "backup":
        backup(args.destination)
    else:
        restore(args.backup)


if __name__ == "__main__":
    main()
