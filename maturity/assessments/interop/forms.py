"""The upload form of the import page."""

from __future__ import annotations

from django import forms


class ImportForm(forms.Form):
    answers_file = forms.FileField(
        label="File of answers",
        help_text=(
            "A CSV (UTF-8) or Excel (.xlsx) file with the columns item_id, value and optionally "
            "version, or a FHIR QuestionnaireResponse (JSON)."
        ),
        error_messages={
            "required": "Choose a file of answers to import",
            "empty": "The file you chose is empty",
        },
    )
