#!/usr/bin/env bash
# Make sure DATABASE_URL holds the national data set (created on the first run only).
set -euo pipefail
BIN=${BIN:-.venv/bin}
if [[ "$DATABASE_URL" == postgres* ]]; then
  psql "$DATABASE_URL" -c "select 1" >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres "${DATABASE_URL##*/}"
fi
"$BIN/maturity" migrate -v0
"$BIN/maturity" sync-editions >/dev/null
if ! "$BIN/python" - <<'PY'
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings"); django.setup()
from maturity.assessments.models import Cycle
sys.exit(0 if Cycle.objects.filter(title__contains="national synthetic").count() >= 5 else 1)
PY
then
  "$BIN/maturity" generate national --seed "${SEED:-2026}"
fi
