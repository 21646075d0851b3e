"""Create a new Ed25519 signing key for Open Badges credentials."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learners import openbadges as ob


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 signing key (secretKeyMultibase) for ENDRA_SIGNING_KEY, "
        "or write it to --output. Changing the key makes credentials signed with the old "
        "key fail verification, so keep the key safe and stable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="write the key to this file (mode 0600)")
        parser.add_argument("--force", action="store_true", help="overwrite --output")

    def handle(self, *args, output=None, force=False, **options):
        private_key = ob.generate_private_key()
        secret = ob.private_key_to_multibase(private_key)
        public = ob.public_key_multibase(private_key.public_key())
        if not output:
            self.stdout.write(f"ENDRA_SIGNING_KEY={secret}")
            self.stderr.write(f"public key (publicKeyMultibase): {public}")
            return
        path = Path(output)
        if path.exists() and not force:
            raise CommandError(f"{path} exists; use --force to replace it.")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secret + "\n")
        self.stdout.write(f"Wrote a new signing key to {path}; public key {public}")
