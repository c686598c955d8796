"""Render reports from jinja2 templates shipped in ``sheetcrm/templates``.

Autoescaping is on for HTML and undefined variables fail loudly, so a typo in a template
is an error rather than a silently empty section.
"""

from __future__ import annotations

from typing import Any

import jinja2

from .errors import ConfigError


def environment() -> jinja2.Environment:
    """The template environment: package templates, strict undefined, HTML autoescaping."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sheetcrm", "templates"),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = lambda v: "–" if v is None else f"{float(v):,.2f}"
    env.filters["count"] = lambda v: f"{int(v):,}"
    return env


def render(template: str, **context: Any) -> str:
    """Render a named template; template errors become one-line ``ConfigError``s."""
    try:
        return environment().get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"no template named {exc.name!r}") from None
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"template {template}: {exc.message}") from None
