"""The JSON API at /api/v1/. Each app contributes a router; handlers call selectors only.

Known clients: the project's own contract tests and analysts' scripts. Breaking changes go to a
new /api/v2/.
"""

from ninja import NinjaAPI

from maturity.assessments.api import router as assessments_router
from maturity.benchmarks.api import router as benchmarks_router
from maturity.commitments.api import router as commitments_router
from maturity.frameworks.api import router as frameworks_router
from maturity.organisations.api import router as organisations_router
from maturity.results.api import router as results_router
from maturity.reviews.api import router as reviews_router

api = NinjaAPI(
    title="Digital Maturity Observatory API",
    version="1",
    description="Organisations, framework editions and digital maturity results.",
    urls_namespace="api",
    docs_url="docs",
)
# Results routes live under /organisations/{ods_code}/results, so they are added first.
api.add_router("/organisations", results_router)
api.add_router("/organisations", organisations_router)
api.add_router("/frameworks", frameworks_router)
api.add_router("/commitments", commitments_router)
api.add_router("/benchmarks", benchmarks_router)
api.add_router("/returns", assessments_router)
api.add_router("/reviews", reviews_router)
api.add_router("/support", "maturity.support.api.router")
