#!/usr/bin/env python
import sys

from maturity.cli import main

if __name__ == "__main__":
    sys.exit(main())
