"""Google answering 429 in a storm, and the disk filling up during an xlsx save.

429s (scripted with Retry-After, on every write method) that end: the run waits and
finishes as an uninterrupted run does. 429s that outlast the run's retries: exit 6 with
nothing half-written, and the next run finishes. A save that hits a real EFBIG (the
child's RLIMIT_FSIZE): exit 6 in one line with the --log-json line, the workbook byte
for byte unchanged, no temp file left.
"""

from __future__ import annotations

import json

from .harness import assert_converged, ok, run


def test_a_429_storm_that_ends_is_waited_out_gsheets(sheets, baselines):
    base = baselines("gsheets", "import")
    sheets.restore(base.pre)
    sheets.emu.fail("batchUpdate", 429, times=3, retry_after=1)
    ran = run(sheets, *baselines.args("import"))
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, f"{ran}\n{ran.stderr}"
    assert_converged(sheets.book(), base.post)
    statuses = [e for e in sheets.emu.stats.errors if e[1] == 429]
    assert len(statuses) == 3  # every scripted 429 was met, none skipped


def test_a_429_storm_that_outlasts_the_retries_writes_nothing_then_the_rerun_finishes_gsheets(
    sheets, baselines
):
    base = baselines("gsheets", "import")
    sheets.restore(base.pre)
    before = sheets.book()
    sheets.emu.fail("batchUpdate", 429, times=1000, retry_after=1)
    ran = run(sheets, *baselines.args("import"))
    assert ran.returncode == 6, f"{ran}\n{ran.stderr}"
    lines = ran.stderr.strip().splitlines()  # the waits it announced, then one error line
    assert "Traceback" not in ran.stderr and "rate limited" in lines[-1], ran.stderr
    assert all("retrying in" in line for line in lines[:-1]), ran.stderr
    assert_converged(sheets.book(), before, "half-written during the storm")
    sheets.emu.faults.clear()
    ok(run(sheets, *baselines.args("import")))
    assert_converged(sheets.book(), base.post)


def test_disk_full_during_a_save_exits_6_and_changes_nothing_xlsx(xlsx, baselines):
    base = baselines("xlsx", "import")
    xlsx.restore(base.pre)
    pre_book = xlsx.book()
    assert len(base.post_raw) > len(base.pre), "the import should grow the workbook"
    limit = (len(base.pre) + len(base.post_raw)) // 2  # the new file cannot be written whole
    ran = run(xlsx, "--log-json", *baselines.args("import"), limit=limit)
    assert ran.returncode == 6, f"{ran}\n{ran.stderr}"
    assert "Traceback" not in ran.stderr, ran.stderr
    said = [line for line in ran.stderr.splitlines() if not line.startswith("{")]
    logged = [json.loads(line) for line in ran.stderr.splitlines() if line.startswith("{")]
    assert len(said) == 1 and "nothing was changed" in said[0], ran.stderr
    assert logged and logged[-1]["event"] == "failed" and logged[-1]["exit"] == 6, logged
    # the run's lease in _meta is taken and given back (saves of their own); every record,
    # format and generated tab is as it was
    assert_converged(xlsx.book(), pre_book, "the failed save changed the workbook")
    assert xlsx.temp_files() == []
    ok(run(xlsx, *baselines.args("import")))
    assert_converged(xlsx.book(), base.post)
