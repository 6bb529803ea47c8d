"""Digital Maturity Observatory."""

__version__ = "0.1.0"
