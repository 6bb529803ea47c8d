"""``maturity export-fhir-questionnaire``: an edition as FHIR R4 Questionnaires."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from maturity.assessments.interop.fhir import canonical_base, edition_to_questionnaire
from maturity.assessments.interop.items import NotAnsweredByLevels
from maturity.core.vocab import CareSetting
from maturity.frameworks.selectors import EditionNotFound, get_edition


class Command(BaseCommand):
    help = (
        "Write an edition's questions as a FHIR R4 Questionnaire for one care setting (to "
        "standard output or --output), or one file per care setting into --output-dir. Each is "
        "validated with fhir.resources before it is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("edition_id", help="Framework edition id, for example wgll-2025")
        parser.add_argument(
            "care_setting",
            nargs="?",
            choices=[s.value for s in CareSetting],
            help="Care setting; leave out with --output-dir for every care setting",
        )
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: stdout)")
        parser.add_argument("--output-dir", type=Path, help="Folder for one file per care setting")
        parser.add_argument(
            "--base-url",
            help="Public address of the service, for the canonical URLs (default: "
            "settings.FHIR_CANONICAL_BASE or the development server)",
        )

    def handle(self, *args, edition_id, care_setting, output, output_dir, base_url, **options):
        from fhir.resources.R4B.questionnaire import Questionnaire

        try:
            edition = get_edition(edition_id)
        except EditionNotFound as error:
            raise CommandError(f"{error}: run `maturity sync-editions` first.") from None
        if care_setting is None and output_dir is None:
            raise CommandError("Name a care setting, or give --output-dir for every care setting.")
        settings = [CareSetting(care_setting)] if care_setting else edition.care_settings_covered()
        base = base_url or canonical_base()
        for setting in settings:
            if not edition.covers(setting):
                raise CommandError(f"{edition_id} is not answered by {setting.label} returns.")
            try:
                resource = edition_to_questionnaire(edition, setting, base_url=base)
            except NotAnsweredByLevels as error:
                raise CommandError(str(error)) from None
            Questionnaire.model_validate(resource)
            text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
            if output_dir is not None:
                output_dir.mkdir(parents=True, exist_ok=True)
                target = output_dir / f"{edition_id}-{setting.value}-questionnaire.json"
                target.write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {target}")
            elif output is not None:
                output.write_text(text, encoding="utf-8")
                self.stdout.write(f"Wrote {output}")
            else:
                self.stdout.write(text, ending="")
