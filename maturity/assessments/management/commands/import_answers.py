"""``maturity import-answers``: load answers into a return from CSV, Excel or FHIR JSON."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import BaseCommand, CommandError

from maturity.assessments.interop.answer_rows import MAX_BYTES
from maturity.assessments.interop.fhir import ImportRefused
from maturity.assessments.interop.services import answers_import_upload
from maturity.assessments.models import Return


class Command(BaseCommand):
    help = (
        "Import answers into a return from a CSV or Excel file (item_id,value[,version]) or a "
        "FHIR QuestionnaireResponse, as a user who may edit it. All or nothing: every bad row is "
        "reported by line and column and nothing is saved unless the whole file is right."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--return-id", type=int, required=True)
        parser.add_argument(
            "--as", dest="username", required=True, help="The user the answers are saved as"
        )

    def handle(self, *args, file: Path, return_id: int, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        return_ = Return.objects.filter(pk=return_id).first()
        if return_ is None:
            raise CommandError(f"There is no return {return_id}.")
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            result = answers_import_upload(by=user, return_=return_, data=data, filename=file.name)
        except PermissionDenied as refusal:
            raise CommandError(f"{username} cannot change this return: {refusal}") from None
        except ImportRefused as refusal:
            for problem in refusal.problems:
                self.stderr.write(f"{file.name}: {problem}")
            count = len(refusal.problems)
            raise CommandError(
                f"Nothing was imported: {count} problem{'s' if count != 1 else ''}."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.saved} answers from the {result.source} into return "
                f"{return_id} ({result.unchanged} unchanged, {result.skipped} rows skipped)."
            )
        )
