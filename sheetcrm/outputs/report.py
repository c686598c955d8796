"""``sheetcrm report``: read the workbook once, compute the period's figures, draw the
charts, render a template (HTML, Markdown, text or PDF), save it and/or e-mail it.

The footer names the workbook by ``Backend.title()`` (a file name, a spreadsheet's title),
never its path: reports are shared, and a path says who made them and where."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sheetcrm.analytics import periods
from sheetcrm.analytics.earnings import payout_thresholds
from sheetcrm.analytics.kpis import satisfaction_settings
from sheetcrm.analytics.periods import parse_period
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError
from sheetcrm.model.tablefile import save
from sheetcrm.outputs.charts import render_charts
from sheetcrm.outputs.i18n import LocalFormat, direction, gettext, local_format
from sheetcrm.outputs.mail import Delivery, Email, send, smtp_settings
from sheetcrm.outputs.report_data import ReportData, build
from sheetcrm.outputs.templates import FORMATS, environment, render, to_pdf


@dataclass
class ReportResult:
    data: ReportData
    fmt: str
    content: str | bytes
    path: Path | None = None
    delivery: Delivery | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def report_settings(crm: CRM) -> dict[str, Any]:
    table = crm.config.features.get("report") or {}
    if not isinstance(table, dict):
        raise ConfigError("sheetcrm.toml [report] must be a table")
    unknown = set(table) - {"templates", "title"}
    if unknown:
        raise ConfigError(f"sheetcrm.toml [report]: unknown key {sorted(unknown)[0]!r}")
    templates = table.get("templates")
    if templates and crm.config.path and not Path(templates).is_absolute():
        templates = str(crm.config.path.parent / templates)
    return {"templates": templates, "title": table.get("title")}


def make_report(
    crm: CRM,
    *,
    as_of: dt.date | None = None,
    period: str = periods.DEFAULT_PERIOD,
    fmt: str = "html",
    template: str | None = None,
    output: Path | None = None,
    emails: tuple[str, ...] = (),
    title: str | None = None,
    frames: dict[str, Any] | None = None,
) -> ReportResult:
    """Render (and save / send) a report for the period ending on ``as_of``, from
    ``frames`` when the caller has read them already (else from one read)."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r} (html, md, txt or pdf)")
    as_of = crm.as_of(as_of)
    settings = report_settings(crm)
    frames = frames if frames is not None else crm.frames()
    local = local_format(crm.config)
    data = build(
        frames,
        parse_period(period, as_of, calendar=local.calendar),
        as_of,
        title=title or settings["title"] or gettext("Sales and follow-up report", local.language),
        currency=local.currency,
        local=local,
        thresholds=payout_thresholds(crm.config.features.get("earnings")),
        satisfaction=satisfaction_settings(crm.config.features.get("satisfaction")),
    )
    if fmt == "html":  # the browser shapes the SVG's text itself
        data.charts = _charts(data, local, "svg")
    elif fmt == "pdf" or emails:  # WeasyPrint and mail clients need PNG
        data.charts = _charts(data, local, "png")
    env = environment(settings["templates"], local=local)
    context = {"data": data, "source": crm.backend.title()}
    text = render(template or FORMATS[fmt], env, **context)
    content: str | bytes = to_pdf(text) if fmt == "pdf" else text
    result = ReportResult(data, fmt, content)
    if output is not None:
        result.path = _save(content, output)
    if emails:
        # every form but HTML drew PNG charts already; the HTML page's are SVG
        png = replace(data, charts=_charts(data, local, "png")) if fmt == "html" else data
        mail = {**context, "data": png}
        html = text if fmt == "pdf" else render("report.html", env, **mail)
        plain = render("report.txt", env, **mail)
        attachments = (
            [("report.pdf", content, "application/pdf")] if isinstance(content, bytes) else []
        )
        subject = f"{data.title}: {local.period(data.period)}"
        mails = [Email(to, subject, plain, html, list(attachments)) for to in emails]
        result.delivery = send(smtp_settings(crm.config), mails)
    return result


def _charts(data: ReportData, local: LocalFormat, form: str) -> dict[str, str]:
    """The charts in the report's language: titles translated, mirrored for a right-to-left
    page, axis numbers in its digits; SVG for a browser (text kept as text), PNG for the
    PDF and e-mail (WeasyPrint draws SVG text unshaped; mail clients drop SVG)."""
    return render_charts(
        data,
        form=form,
        gettext=data.gettext,
        rtl=direction(local.language) == "rtl",
        number=local.number,
    )


def _save(content: str | bytes, output: Path) -> Path:
    """A report lists customers and what they spent: a private file, whole or not at all
    (``tablefile.save``; the folder is the user's)."""
    return save(output, content)
