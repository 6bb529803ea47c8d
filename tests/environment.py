"""Loaded with ``-p`` (pyproject addopts) before pytest-django imports the settings, so a
plain ``pytest`` runs with the test profile; root conftest.py is read too late for that."""

import os

os.environ.setdefault("MATURITY_ENV", "test")
