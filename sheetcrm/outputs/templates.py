"""Render reports from jinja2 templates: the package's, or the user's own that extend them
(``{% extends "default:report.html" %}``).

Autoescaping is on for HTML and undefined variables fail loudly; Markdown templates pass
sheet text through the ``md`` filter (``markdown_text``), which is as strict, and plain-text
ones through ``line`` (``one_line``), so that a name with a line break cannot add a line
(a list item, a "Subject:") of its own to a digest or a letter. Messages are translated
with gettext (``outputs.i18n``): a placeholder in a translated message is filled in
after translation and escaped like any other value. Numbers, money and dates are written
for the workbook's language, currency, calendar and digits (``i18n.LocalFormat``).
PDF is the HTML report laid out by WeasyPrint, which shapes Persian and Bengali text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2

from sheetcrm.errors import ConfigError
from sheetcrm.model import vocab
from sheetcrm.outputs.i18n import LocalFormat, direction, font_stack, gettext, translations

FORMATS = {"html": "report.html", "md": "report.md", "txt": "report.txt", "pdf": "report.html"}


def environment(
    user_dir: str | Path | None = None,
    *,
    language: str = "en",
    currency: str = "USD",
    local: LocalFormat | None = None,
) -> jinja2.Environment:
    """Templates: the user's folder first, the package's also reachable as ``default:``;
    messages in ``local``'s language (gettext: ``{% trans %}`` and ``_()``), figures
    written its way (``money``, ``number``, ``date``, ``month`` … filters)."""
    local = local or LocalFormat(language, currency)
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
        extensions=["jinja2.ext.i18n"],
    )
    # Placeholders are filled by gettext's own ``%(name)s`` step, which escapes them in
    # HTML; whitespace inside a {% trans %} block is folded, as babel.cfg extracts it.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(  # type: ignore[attr-defined]  # added by the extension
        translations(local.lang), newstyle=True
    )
    env.filters.update(
        money=local.money,
        number=local.number,
        percent=local.percent,
        change=local.change,
        count=lambda v: local.number(v, 0),
        date=local.date,
        month=local.month,
        digits=lambda v: local.native(str(v)),
        choice=lambda v, key: _choice(v, key, local.lang),
        md=markdown_text,
        line=one_line,
    )
    env.globals.update(
        lang=local.lang,
        language=local.language,
        dir=direction(local.language),
        fonts=font_stack(local.language),
        local=local,
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


def _choice(value: Any, key: str, lang: str) -> Any:
    """A choice value as people read it in ``lang``: its label, and the KPIs' "(none)"
    for a blank one translated like any other message."""
    if value == "(none)":
        return gettext("(none)", lang)
    return vocab.label(key, value, lang) if isinstance(value, str) and value else value


def _unblock(match: re.Match[str]) -> str:
    """``- x`` → ``\\- x``; ``1. x`` → ``1\\. x`` (the backslash before the dot)."""
    mark = match.group(1)
    return mark + "\\" if mark[0].isdigit() else "\\" + mark


def render(template: str, env: jinja2.Environment | None = None, **context: Any) -> str:
    """Render a named template, the user's one for the language first (``fa/report.html``
    in the templates folder), then the one for every language; template errors become
    one-line ``ConfigError``s."""
    env = env or environment()
    names = [template]
    if ":" not in template and "/" not in template:
        names.insert(0, f"{env.globals.get('lang', 'en')}/{template}")  # fa/reengage.txt
    try:
        return env.select_template(names).render(**context)
    except jinja2.TemplateNotFound as exc:
        missing = template if isinstance(exc, jinja2.TemplatesNotFound) else exc.name
        raise ConfigError(f"no template named {missing!r}") from None
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
