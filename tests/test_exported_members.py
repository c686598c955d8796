"""The public API: ``sheetcrm.__all__`` is pinned, every name resolves, and importing the
package stays cheap (the heavy libraries load only when a name that needs them is used)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import version

import sheetcrm

#: The public API. Adding a name is a deliberate change: add it here too.
PUBLIC = [
    "CRM",
    "AccessError",
    "CheckResult",
    "Config",
    "ConfigError",
    "ConflictsRecorded",
    "DemoResult",
    "HeaderError",
    "ImportSpec",
    "InputError",
    "LockedError",
    "NotDelivered",
    "NotFoundError",
    "PartialResult",
    "PlanRefusedError",
    "RateLimitedError",
    "RemindResult",
    "ReportResult",
    "RowsRejected",
    "RunResult",
    "SheetCRMError",
    "Summary",
    "TooManyRejected",
    "TransientError",
    "ValueParseError",
    "Watch",
    "WorkbookError",
    "WriteRun",
    "__version__",
    "count_segments",
    "diagnose",
    "explain",
    "export_tab",
    "forget",
    "import_file",
    "import_from_tab",
    "load_config",
    "make_report",
    "make_summary",
    "open_crm",
    "parse_config",
    "person_export",
    "refresh",
    "remind",
    "restore",
    "run_demo",
    "summarize",
    "write_demo",
]

#: What ``import sheetcrm`` must not load: each costs a noticeable part of a second.
HEAVY = ("pandas", "numpy", "openpyxl", "gspread", "google.auth", "matplotlib", "jinja2", "click")


def _fresh_interpreter(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_all_is_pinned():
    assert sheetcrm.__all__ == PUBLIC


def test_all_is_sorted_like_ruff_sorts_it():
    # ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest, each alphabetical
    def kind(name: str) -> int:
        if name.isupper() and len(name) > 1:
            return 0
        return 1 if name[:1].isupper() else 2

    assert sorted(PUBLIC, key=lambda n: (kind(n), n)) == PUBLIC


def test_every_public_name_resolves_to_what_its_module_defines():
    for name in PUBLIC:
        value = getattr(sheetcrm, name)
        if name == "__version__":
            continue
        module = importlib.import_module(sheetcrm._EXPORTS[name])
        assert value is getattr(module, name), name
        assert getattr(value, "__module__", module.__name__) == module.__name__, (
            f"{name} is defined in {value.__module__}, not in {module.__name__}"
        )


def test_the_lazy_table_names_exactly_the_public_api():
    assert set(sheetcrm._EXPORTS) == set(PUBLIC) - {"__version__"}


def test_dir_lists_the_public_api():
    assert dir(sheetcrm) == sorted(PUBLIC)


def test_an_unknown_name_is_an_attribute_error():
    try:
        sheetcrm.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("sheetcrm.no_such_name did not raise AttributeError")


#: CRM's public members: reads, plans, and the two writes, both one ``WriteRun`` each. A
#: write that bypasses the run (no lease, claim, guard or audit row) has no place here.
CRM_MEMBERS = [
    "as_of",
    "ctx",
    "describe",
    "empty_grid",
    "frame",
    "frames",
    "grid",
    "init",
    "plan_init",
    "plan_tab",
    "plan_upsert",
    "read",
    "require_initialised",
    "upsert",
]


def test_crm_writes_only_through_a_run():
    assert sorted(n for n in dir(sheetcrm.CRM) if not n.startswith("_")) == CRM_MEMBERS


def test_import_sheetcrm_loads_no_heavy_library():
    code = f"import sys, sheetcrm; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    assert _fresh_interpreter(code) == ""


def test_the_check_for_heavy_libraries_can_fail():
    code = (
        "import sys, sheetcrm; sheetcrm.open_crm; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert "pandas" in _fresh_interpreter(code).split(",")


def test_errors_import_without_the_heavy_libraries():
    code = (
        "import sys, sheetcrm; sheetcrm.SheetCRMError; sheetcrm.ValueParseError; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    assert _fresh_interpreter(code) == ""


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "sheetcrm", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: sheetcrm ")
    assert "import" in done.stdout and "refresh" in done.stdout


def test_importing_dunder_main_does_not_run_the_cli():
    assert _fresh_interpreter("import sheetcrm.__main__; print('imported')") == "imported"


def test_version_is_the_installed_distributions():
    assert sheetcrm.__version__ == version("sheetcrm")
    assert sheetcrm.__version__[0].isdigit()
