"""The JSON API at /api/v1/. Each app contributes a router; handlers call selectors only.

Known clients: the project's own browser tests and contract tests; external analysts' scripts.
Breaking changes go to a new /api/v2/.
"""

from ninja import NinjaAPI

from maturity.organisations.api import router as organisations_router

api = NinjaAPI(
    title="Digital Maturity Observatory API",
    version="1",
    description="Organisations, framework editions and digital maturity results. Read endpoints are public.",
    urls_namespace="api",
    docs_url="docs",
)
api.add_router("/organisations", organisations_router)
