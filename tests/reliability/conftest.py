"""Fixtures of the reliability suite: a workbook on each backend (``world``), and for
each run under test one uninterrupted baseline per backend, computed once per session
(its start state, its requests or save boundaries, its end state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    AS_OF,
    CUSTOMER_HEADER,
    TRANSACTION_HEADER,
    WORLDS,
    Baseline,
    SheetsWorld,
    World,
    XlsxWorld,
    events,
    import_rows,
    ok,
    requests_of,
    run,
    seed_rows,
    transaction_rows,
    write_csv,
)

BACKENDS = ["xlsx", "gsheets"]


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The input files of the runs (absolute paths: children run in folders of their own)."""
    folder = tmp_path_factory.mktemp("files")
    return {
        "seed": write_csv(folder / "seed.csv", CUSTOMER_HEADER, seed_rows()),
        "incoming": write_csv(folder / "incoming.csv", CUSTOMER_HEADER, import_rows()),
        "orders": write_csv(folder / "orders.csv", TRANSACTION_HEADER, transaction_rows()),
        # two machines importing at once: both move c01, each moves one more and adds 8
        "host-a": write_csv(
            folder / "host-a.csv", CUSTOMER_HEADER, import_rows("a", 8, (0, 1), "Leeds")
        ),
        "host-b": write_csv(
            folder / "host-b.csv", CUSTOMER_HEADER, import_rows("b", 8, (1, 2), "York")
        ),
    }


#: The runs under test: how their start state is made, and the run itself.
RUNS: dict[str, tuple[Callable[[dict[str, Path]], list[list[str]]], Callable[..., list[str]]]] = {
    "import": (
        lambda f: [["init"], ["import", str(f["seed"]), "--tab", "Customers"]],
        lambda f: ["import", str(f["incoming"]), "--tab", "Customers"],
    ),
    "refresh": (
        lambda f: [["init"], ["import", str(f["orders"]), "--preset", "transactions"]],
        lambda f: ["refresh", "--as-of", AS_OF],
    ),
    "demo": (lambda f: [], lambda f: ["demo", "--as-of", AS_OF]),
    "import-a": (
        lambda f: [["init"], ["import", str(f["seed"]), "--tab", "Customers"]],
        lambda f: ["import", str(f["host-a"]), "--tab", "Customers"],
    ),
}


def make_world(kind: str, root: Path) -> World:
    root.mkdir(parents=True, exist_ok=True)
    return WORLDS[kind](root)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    made = make_world(request.param, tmp_path / "world")
    yield made
    made.close()


@pytest.fixture
def sheets(tmp_path: Path) -> Iterator[SheetsWorld]:
    made = SheetsWorld(tmp_path / "world")
    made.root.mkdir(parents=True, exist_ok=True)
    yield made
    made.close()


@pytest.fixture
def xlsx(tmp_path: Path) -> XlsxWorld:
    return XlsxWorld(tmp_path / "world")  # type: ignore[return-value]


class Baselines:
    """One uninterrupted run of each kind per backend, made on first use."""

    def __init__(self, root: Path, files: dict[str, Path]) -> None:
        self.root, self.files, self.made = root, files, {}  # type: dict[tuple[str, str], Baseline]

    def args(self, name: str) -> list[str]:
        return RUNS[name][1](self.files)

    def __call__(self, kind: str, name: str) -> Baseline:
        if (kind, name) not in self.made:
            self.made[kind, name] = self._make(kind, name)
        return self.made[kind, name]

    def _make(self, kind: str, name: str) -> Baseline:
        world = make_world(kind, self.root / f"{kind}-{name}")
        try:
            setup, _ = RUNS[name]
            for args in setup(self.files):
                ok(run(world, *args))
            pre = world.save()
            steps: list[Any]
            if isinstance(world, SheetsWorld):
                steps = requests_of(world, *self.args(name))
            else:
                steps = events(world, *self.args(name))
            return Baseline(pre, steps, world.book(), world.save())
        finally:
            world.close()


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Baselines:
    return Baselines(tmp_path_factory.mktemp("baselines"), files)
