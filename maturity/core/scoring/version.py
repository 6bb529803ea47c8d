"""The scoring version stamped on every stored score (bump rules: see the package docstring)."""

SCORING_VERSION = "1.0.0"
