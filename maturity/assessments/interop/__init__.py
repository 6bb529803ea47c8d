"""Exchanging returns with other systems: FHIR R4 Questionnaire / QuestionnaireResponse, CSV and
PDF exports, and all-or-nothing imports of answers from CSV, Excel or FHIR.

Pure modules (no Django): ``items`` (what a return holds, cleaning values), ``questionnaire``
(FHIR resources), ``answer_rows`` (reading and checking files). Django glue: ``data`` (reads and
the export presenter), ``fhir`` (public FHIR functions), ``exports``, ``services`` (imports),
``views``, ``urls`` (under /returns/) and ``fhir_urls`` (under /frameworks-fhir/).
"""
