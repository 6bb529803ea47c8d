from tests.results.conftest import national  # noqa: F401  (the national data set fixture)
