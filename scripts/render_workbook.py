"""Render a workbook to PNG pages with LibreOffice, to look at what teammates will see.

Usage: python scripts/render_workbook.py crm.xlsx [OUTDIR]  (needs soffice and pdftoppm)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def render(workbook: Path, outdir: Path, pages: int = 3) -> list[Path]:
    """Convert ``workbook`` to PDF, then its first ``pages`` pages to PNG files."""
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"{tool} is not installed (apt-get install libreoffice-calc-nogui poppler-utils)"
            )
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    pdf = outdir / (workbook.stem + ".pdf")
    prefix = str(outdir / workbook.stem)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages), str(pdf), prefix], check=True
    )
    return sorted(outdir.glob(workbook.stem + "*.png"))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    target = Path(sys.argv[1])
    for png in render(target, Path(sys.argv[2]) if len(sys.argv) > 2 else target.parent):
        print(png)
