"""The optimiser version stored with every solved scenario, so a result can be reproduced.

Same rules as ``SCORING_VERSION``: MAJOR when the same inputs can give a different allocation,
MINOR for new result fields or options that leave existing results as they were, PATCH otherwise.
"""

OPTIMISER_VERSION = "1.0.0"
