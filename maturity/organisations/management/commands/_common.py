"""Shared helpers for the registry's import commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from maturity.organisations.importers.errors import ReferenceFileError


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f'{option} "{value}" is not a date (expected YYYY-MM-DD)') from None


def existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise CommandError(f"{value}: no such file")
    return path


def as_command_error(error: ReferenceFileError) -> CommandError:
    return CommandError(str(error))


def database_command_error(error: Exception) -> CommandError:
    return CommandError(f"the database is not ready ({error}); run `maturity migrate` first")
