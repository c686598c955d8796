"""Render reports from jinja2 templates: the package's, or the user's own that extend them
(``{% extends "default:report.html" %}``).

Autoescaping is on for HTML and undefined variables fail loudly; Markdown templates pass
sheet text through the ``md`` filter (``markdown_text``), which is as strict, and plain-text
ones through ``line`` (``one_line``), so that a name with a line break cannot add a line
(a list item, a "Subject:") of its own to a digest or a letter. Numbers and money are
formatted for the configured locale with Babel (so INR gets lakh grouping: ₹1,23,456.00).
PDF is the HTML report laid out by WeasyPrint, which shapes Persian and Bengali text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import jinja2

from sheetcrm.errors import ConfigError

FORMATS = {"html": "report.html", "md": "report.md", "txt": "report.txt", "pdf": "report.html"}


def environment(
    user_dir: str | Path | None = None, *, language: str = "en", currency: str = "USD"
) -> jinja2.Environment:
    """Templates: the user's folder first, the package's also reachable as ``default:``."""
    package = jinja2.PackageLoader("sheetcrm", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        folder = Path(user_dir).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"report templates folder not found: {folder}")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders += [jinja2.PrefixLoader({"default": package}, delimiter=":"), package]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    locale = _locale(language)
    env.filters.update(
        money=lambda v, cur=None: _money(v, cur or currency, locale),
        number=lambda v, digits=0: _number(v, digits, locale),
        percent=lambda v: _percent(v, locale),
        change=_change,
        count=lambda v: _number(v, 0, locale),
        date=lambda v: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else (v or ""),
        md=markdown_text,
        line=one_line,
    )
    return env


#: Line and paragraph breaks, the other C0 and C1 controls, and the Unicode bidi
#: embeddings, overrides and isolates (which would reorder the rest of the line).
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def one_line(value: Any) -> str:
    """Sheet text for a plain-text line: breaks and controls become single spaces. Marks
    that words need stay (the zero-width non-joiner of Persian, LRM and RLM)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(_BREAKS.sub(" ", str(value)).split())


#: Characters with a meaning inside a Markdown line: code, emphasis, strikethrough, links
#: and images, headings, table cells, math; each gets a backslash (CommonMark lets any
#: ASCII punctuation be escaped so, GitHub's tables too).
_MD_PUNCTUATION = re.compile(r"([\\`*_~\[\]()#|$!{}])")
#: What starts a block at the beginning of a line: a list item (``-`` ``+`` ``1.`` ``1)``),
#: a thematic break or setext underline (``---`` ``===``).
_MD_BLOCK_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)](\s|$)))")


def markdown_text(value: Any) -> str:
    """Sheet text as literal Markdown: one line (whitespace, line breaks included, folded to
    single spaces, so no cell or list item can break out of its table or line), no HTML
    (``<`` ``>`` ``&`` as entities, so no tag and no ``<javascript:…>`` autolink), and
    every character that would make a link, image, code span, emphasis, heading or table
    cell escaped with a backslash. A reader sees exactly the text in the sheet."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    text = _MD_BLOCK_START.sub(_unblock, text)
    return html.escape(text, quote=False)


def _unblock(match: re.Match[str]) -> str:
    """``- x`` → ``\\- x``; ``1. x`` → ``1\\. x`` (the backslash before the dot)."""
    mark = match.group(1)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def _locale(language: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"[locale] language {language!r} is not a locale Babel knows") from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _money(value: Any, currency: str, locale: Any) -> str:
    from babel.numbers import format_currency

    return "–" if _blank(value) else format_currency(float(value), currency, locale=locale)


def _number(value: Any, digits: int, locale: Any) -> str:
    from babel.numbers import format_decimal

    if _blank(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), format=pattern if digits else None, locale=locale)


def _percent(value: Any, locale: Any) -> str:
    from babel.numbers import format_percent

    return "–" if _blank(value) else format_percent(float(value), "#,##0.0%", locale=locale)


def _change(value: Any) -> str:
    if _blank(value):
        return ""
    arrow = "▲" if value > 0 else "▼" if value < 0 else "■"
    return f"{arrow} {abs(value):.0%}"


def render(template: str, env: jinja2.Environment | None = None, **context: Any) -> str:
    """Render a named template; template errors become one-line ``ConfigError``s."""
    env = env or environment()
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"no template named {exc.name!r}") from None
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"template {template}: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(
            f"template {exc.name or template} line {exc.lineno}: {exc.message}"
        ) from None


def to_pdf(html: str) -> bytes:
    """Lay out an HTML report as PDF (needs WeasyPrint: pip install 'sheetcrm[pdf]')."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ConfigError(
            f"PDF reports need WeasyPrint and its Pango libraries ({exc.__class__.__name__}); "
            "pip install 'sheetcrm[pdf]' (and apt-get install libpango-1.0-0)"
        ) from None
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()  # WeasyPrint ships no types
    return pdf
