"""The contract suites run on every backend kind, Google Sheets over HTTP included; the
root conftest's ``crm`` fixture builds its initialised CRM on whichever harness this gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract.harness import HARNESSES, Harness


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, tmp_path) -> Iterator[Harness]:
    made = HARNESSES[request.param](tmp_path)
    yield made
    made.close()
