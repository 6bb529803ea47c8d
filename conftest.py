import os

# Loaded before Django settings: the suite always runs with the test profile.
os.environ.setdefault("MATURITY_ENV", "test")
