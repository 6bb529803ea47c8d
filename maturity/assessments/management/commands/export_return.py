"""``maturity export-return``: a return as CSV, PDF or a FHIR QuestionnaireResponse."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from maturity.assessments.interop import exports
from maturity.assessments.interop.fhir import canonical_base, return_to_questionnaire_response
from maturity.assessments.models import Return


class Command(BaseCommand):
    help = (
        "Export one return as CSV (items, answers, versions and scores), PDF, or a FHIR R4 "
        "QuestionnaireResponse (JSON). Run on the server: no sign-in or scoping applies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--return-id", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "pdf", "fhir"], default="csv")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: stdout)")
        parser.add_argument("--base-url", help="Public address of the service, for FHIR URLs")

    def handle(self, *args, return_id, format, output, base_url, **options):
        return_ = Return.objects.filter(pk=return_id).first()
        if return_ is None:
            raise CommandError(f"There is no return {return_id}.")
        if format == "csv":
            body = exports.return_csv(return_)
        elif format == "pdf":
            if output is None:
                raise CommandError("A PDF is binary: give --output FILE.")
            body = exports.return_pdf(return_)
        else:
            resource = return_to_questionnaire_response(
                return_, base_url=base_url or canonical_base()
            )
            body = (json.dumps(resource, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if output is None:
            self.stdout.flush()
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
            return
        output.write_bytes(body)
        self.stderr.write(f"Wrote {output} ({len(body)} bytes)")
