"""Reference-data importers for the organisation registry.

Pure parsers (no Django): ``csvread``, ``ods``, ``lookups``, ``facts``, ``cqc``, ``mappings``
(hand-made tables with their sources), ``errors``. Writing: ``writer`` (bulk upserts, dated
links, changes) and ``steps`` (one step per file or group of files). Entry points are in
``maturity.organisations.services``.
"""
