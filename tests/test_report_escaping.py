"""Sheet text in reports is shown, never run: the same hostile values (tags, script links,
pipes, line breaks, Markdown syntax) in customer names, task titles and assignees and the
report title, rendered as HTML and as Markdown. The Markdown is read back by a
CommonMark + GitHub-tables renderer that lets raw HTML and any link through (the most
trusting a reader's viewer can be), so only the escaping stands between the sheet and it."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import jinja2
import pytest
from markdown_it import MarkdownIt

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.templates import environment, markdown_text, render

DAY = dt.date(2026, 11, 21)

#: Values a teammate, a web form or an attacker can put in a sheet.
NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>click</a>",
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "![pic](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "[ref][1]",
    "a | b | c",
    "line one\nline two\r\n| injected | row |",
    "tab\there\u2028and\u2029more",
    "`code` **bold** _em_ ~~gone~~ *star*",
    "# not a heading",
    "- not a list",
    "1. not a list",
    "> not a quote",
    "---",
    "&lt;b&gt;entity&lt;/b&gt; &#106;avascript:x",
    "back\\slash \\| pipe",
    "$x^2$ math",
    "=cmd|' /C calc'!A0",
    "سارا <b>محمدی</b> | تهران",
]


def nasty_crm() -> CRM:
    """A workbook whose report shows every NASTY value: ten as customers who bought in the
    period (the report lists the top ten) and scored it 1 (unhappy customers), each as an
    overdue task's title and assignee."""
    crm = CRM(backend=MemoryBackend())
    crm.init()
    top = NASTY[:10]
    crm.upsert(
        "Customers", [{"customer_id": f"C-{i}", "name": n} for i, n in enumerate(top, start=1)]
    )
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": f"I-{i}",
                "date": "2026-11-20",
                "type": "purchase",
                "customer_id": f"C-{i}",
                "amount": 1000 - i,
                "satisfaction": 1,
            }
            for i in range(1, len(top) + 1)
        ],
    )
    crm.upsert(
        "Tasks",
        [
            {
                "task_id": f"T-{i}",
                "title": n,
                "assignee": n,
                "due_date": "2026-11-01",
                "status": "todo",
            }
            for i, n in enumerate(NASTY, start=1)
        ],
    )
    return crm


class Page(HTMLParser):
    """Every tag with its attributes, the text of each table row's cells and list items."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: list[list[str]] = []
        self.items: list[str] = []
        self._cell: list[str] | None = None
        self._item: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "li" and self._item is not None:
            self.items.append("".join(self._item).strip())
            self._item = None

    def handle_data(self, data):
        for part in (self._cell, self._item):
            if part is not None:
                part.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def trusting_markdown(text: str) -> str:
    """Markdown → HTML as a viewer that trusts its input would: raw HTML passed through,
    every link scheme allowed, GitHub's tables, strikethrough and autolinks."""
    md = MarkdownIt("gfm-like")
    md.validateLink = lambda url: True
    return md.render(text)


def shown(value: str) -> str:
    """What a reader should see of ``value``: the text, on one line."""
    return " ".join(value.split())


SAFE_IMAGE = ("data:image/png;base64,", "data:image/svg+xml;base64,")  # the report's own charts


def assert_inert(page: Page) -> None:
    """No script, no event handler, no tag from the data, no link to a script scheme."""
    allowed = {"h1", "h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "em"}
    allowed |= {"html", "head", "meta", "title", "style", "body", "main", "header", "section"}
    allowed |= {"div", "span", "footer", "img", "small", "strong"}
    for tag, attrs in page.tags:
        assert tag in allowed, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            url = "".join(attrs.get(name, "").split()).lower()
            assert not url.startswith(("javascript:", "vbscript:")), (tag, attrs)
            assert not url.startswith("data:") or url.startswith(SAFE_IMAGE), (tag, attrs)


CELL_AND_ITEM = """| A | B | C |
|---|---|---|
| {{ v|md }} | {{ v|md }} | x |

- {{ v|md }} — {{ v|md }}
"""


@pytest.mark.parametrize("value", NASTY)
def test_one_value_stays_text_in_a_table_cell_and_a_list_item(tmp_path, value):
    """In a user's own Markdown template too: the filter is there for them."""
    (tmp_path / "mine.md").write_text(CELL_AND_ITEM, encoding="utf-8")
    text = render("mine.md", environment(tmp_path), v=value)
    page = parse(trusting_markdown(text))
    assert_inert(page)
    assert page.rows == [["A", "B", "C"], [shown(value), shown(value), "x"]]
    assert page.items == [f"{shown(value)} — {shown(value)}"]


def test_markdown_report_shows_nasty_values_as_text():
    crm = nasty_crm()
    report = make_report(crm, as_of=DAY, fmt="md", title=NASTY[0]).content
    page = parse(trusting_markdown(report))
    assert_inert(page)
    tables = [row for row in page.rows if row]
    widths = {len(row) for row in tables}
    assert widths <= {2, 3, 4}, widths  # every row of every table has its header's cells
    two = [row for row in tables if len(row) == 2]  # top customers, then segments
    assert two[0] == ["Customer", "Spent"] and two[11][0] == "Segment"
    assert [row[0] for row in two[1:11]] == [shown(n) for n in NASTY[:10]]
    unhappy = [row[0] for row in tables if len(row) == 4 and row[1] == "1"]
    assert sorted(unhappy) == sorted(shown(n) for n in NASTY[:10])
    assert sorted(page.items) == sorted(f"{shown(n)} — {shown(n)}, due 2026-11-01" for n in NASTY)
    assert report.startswith("# &lt;script&gt;alert\\(1\\)&lt;/script&gt;\n")


def test_html_report_shows_the_same_values_as_text():
    crm = nasty_crm()
    report = make_report(crm, as_of=DAY, fmt="html", title=NASTY[0]).content
    page = parse(report)
    assert_inert(page)
    cells = {cell for row in page.rows for cell in row}
    for value in NASTY[:10]:
        assert value in cells or shown(value) in cells
    assert "<script>alert(1)</script>" not in report


def test_every_value_in_the_markdown_template_is_filtered():
    """A new line in report.md that prints sheet text without ``|md`` fails here."""
    source = environment().loader.get_source(environment(), "report.md")[0]
    ast = jinja2.Environment().parse(source)
    formatting = {"md", "money", "number", "percent", "change", "count", "date"}
    for output in ast.find_all(jinja2.nodes.Output):
        for node in output.nodes:
            if isinstance(node, jinja2.nodes.TemplateData):
                continue
            if isinstance(node, jinja2.nodes.Getattr) and node.attr == "days":
                continue  # a number of our own
            assert isinstance(node, jinja2.nodes.Filter) and node.name in formatting, node


def test_markdown_text_is_readable_for_ordinary_text():
    assert markdown_text("Sara Mohammadi") == "Sara Mohammadi"
    assert markdown_text("ann@example.com") == "ann@example.com"
    assert markdown_text("نیم‌فاصله") == "نیم‌فاصله"  # the zero-width non-joiner stays
    assert markdown_text(None) == "" and markdown_text(float("nan")) == ""
    assert markdown_text(3.5) == "3.5" and markdown_text("-5") == "\\-5"
