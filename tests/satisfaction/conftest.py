"""Fixtures for the M4 tests: the survey domain on a fake simulator context (fast, independent of
the other domains)."""
from __future__ import annotations

import pytest

from satisfaction_fakectx import FakeCtx


@pytest.fixture(scope="session")
def fake_survey():
    """The survey domain alone, on a default-size (2,000-customer) fake simulation context."""
    from crmlab.simulate import survey

    ctx = FakeCtx(n_customers=2000, seed=0)
    survey.generate(ctx)
    return ctx
