"""`manage.py signing_init`: set up the organisation's CA (new, or imported from PKCS#12), its seal key and the key of its
timestamp authority (/pki/tsa).

Needs MEMOFLOW_CA_KEY_PASSPHRASE and MEMOFLOW_SEAL_KEY_PASSPHRASE in the environment: the two private keys are
stored only encrypted under them. Safe to run again: what exists already is kept.
"""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from org.models import Organisation
from signatures import selectors, services


class Command(BaseCommand):
    help = "Create (or import from PKCS#12) the organisation's CA and create its seal key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="Name of the organisation (default: the only one).")
        parser.add_argument("--common-name", default="", help="The CA's CN (default: ผู้ออกใบรับรอง <name>).")
        parser.add_argument(
            "--import-p12", metavar="FILE", help="Import the CA's key and certificate from FILE."
        )
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="Environment variable holding the PKCS#12 file's passphrase (never on the command line).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        try:
            ca = selectors.active_ca()
            if ca is not None:
                self.stdout.write(f"CA exists already: {ca.subject}")
            elif options["import_p12"]:
                password = None
                if options["passphrase_env"]:
                    if options["passphrase_env"] not in os.environ:
                        raise CommandError(f"{options['passphrase_env']} is not set")
                    password = os.environ[options["passphrase_env"]].encode()
                ca = services.ca_import_pkcs12(
                    organisation=organisation,
                    data=Path(options["import_p12"]).read_bytes(),
                    password=password,
                )
                self.stdout.write(self.style.SUCCESS(f"CA imported: {ca.subject}"))
            else:
                ca = services.ca_create(organisation=organisation, common_name=options["common_name"])
                self.stdout.write(self.style.SUCCESS(f"CA created: {ca.subject}"))
            self.stdout.write(f"  SHA-256 {ca.certificate_sha256}")
            seal = selectors.active_seal()
            if seal is None:
                seal = services.seal_key_create()
                self.stdout.write(self.style.SUCCESS(f"Seal key created: {seal.subject}"))
            else:
                self.stdout.write(f"Seal key exists already: {seal.subject}")
            tsa = selectors.active_tsa_key()
            if tsa is None:
                tsa = services.tsa_key_create()
                self.stdout.write(self.style.SUCCESS(f"Timestamp authority key created: {tsa.subject}"))
            else:
                self.stdout.write(f"Timestamp authority key exists already: {tsa.subject}")
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc

    def _organisation(self, name: str | None) -> Organisation:
        if name:
            found = Organisation.objects.filter(name=name).first()
            if found is None:
                raise CommandError(f"no organisation named {name!r}")
            return found
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError("name the organisation with --organisation")
        return organisations[0]
