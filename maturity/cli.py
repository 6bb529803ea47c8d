"""The ``maturity`` command: Django's management commands under the product's name.

``maturity demo``, ``maturity serve``, ``maturity import-registry`` … each has ``--help``.
Commands are named with hyphens on the command line and underscores in code.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["maturity", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
