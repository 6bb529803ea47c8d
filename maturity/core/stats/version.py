"""The statistics version stamped on benchmark snapshots and trajectories.

Semantic versioning with the same rules as ``SCORING_VERSION``: MAJOR for any change that can
give a different result for the same input (including fixing a bug that changed results), MINOR
for a new method or result field that leaves existing results as they were, PATCH when no result
changes.
"""

STATS_VERSION = "1.0.0"
