"""Shared test set-up: hypothesis profiles and the data folder.

HYPOTHESIS_PROFILE=ci (set by .ci/run) bounds the number of examples and
turns off the per-example deadline, which a noisy 2-core machine would trip.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("light", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DATA = os.path.join(os.path.dirname(__file__), "data")
