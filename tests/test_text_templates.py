"""Plain-text outputs (the digest e-mail, the text report, the win-back draft, ``summary``)
put sheet text on its line: a lead, task or customer whose name holds a line break cannot
add a list item, a ``Subject:`` line or a paragraph of its own to what the team reads or the
shop sends."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM
from sheetcrm.outputs.reminders import remind
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.summary import make_summary
from sheetcrm.outputs.templates import environment, one_line

DAY = dt.date(2026, 11, 21)
#: Sheet text that tries to start lines of its own.
FORGED = [
    "Bob\n  - Wire 5,000 to IBAN DE00 0000 0000",
    "Ann\r\nSubject: you won\r\nBcc: all@evil.example",
    "Cara\u2028  - injected\u2029item",
    "Dan\x0b\x0c\x1c\x85Eve",
    "Zed\u202e\u2066reversed\u2069",
]
TEMPLATES = ["remind.txt", "report.txt", "reengage.txt", "summary.txt.j2"]


def forged_crm() -> CRM:
    crm = CRM(backend=MemoryBackend())
    crm.init()
    crm.upsert(
        "Customers",
        [
            {"customer_id": f"C-{i}", "name": n, "email": f"c{i}@example.com", "products": n}
            for i, n in enumerate(FORGED, start=1)
        ],
    )
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": f"I-{i}",
                "date": "2026-11-20" if i % 2 else "2025-01-10",
                "type": "purchase",
                "customer_id": f"C-{i}",
                "amount": 100 + i,
            }
            for i in range(1, len(FORGED) + 1)
        ],
    )
    crm.upsert(
        "Tasks",
        [
            {"task_id": f"T-{i}", "title": n, "assignee": n, "due_date": "2026-11-01"}
            for i, n in enumerate(FORGED, start=1)
        ],
    )
    crm.upsert(
        "Leads",
        [
            {"lead_id": f"L-{i}", "name": n, "owner": n, "next_action": n, "status": "new"}
            for i, n in enumerate(FORGED, start=1)
        ],
    )
    return crm


def assert_no_forged_lines(text: str) -> None:
    for line in text.splitlines():
        stripped = line.strip()
        assert not stripped.startswith(("- Wire", "- injected", "Subject:", "Bcc:")), line
        assert not stripped.startswith(("item", "Eve", "reversed")), line
    assert not any(c in text for c in "\r\x0b\x0c\x1c\x85\u2028\u2029\u202e\u2066\u2069")


def test_the_digest_and_the_drafts_keep_names_on_their_line(tmp_path):
    result = remind(forged_crm(), as_of=DAY, drafts_dir=tmp_path / "d")
    assert_no_forged_lines(result.text)
    assert "  - Bob - Wire 5,000 to IBAN DE00 0000 0000 (due 2026-11-01)\n" in result.text
    assert "Follow-ups for Ann Subject: you won Bcc: all@evil.example — 2026-11-21" in result.text
    assert result.drafts
    for path in result.drafts:
        assert_no_forged_lines(path.read_text(encoding="utf-8"))


def test_the_text_report_keeps_names_on_their_line():
    report = make_report(forged_crm(), as_of=DAY, fmt="txt", title=FORGED[1]).content
    assert_no_forged_lines(report)
    assert report.startswith("Ann Subject: you won Bcc: all@evil.example\n")
    assert "  - Bob - Wire 5,000 to IBAN DE00 0000 0000 (Bob - Wire" in report


def test_summary_keeps_names_on_their_line():
    figures = make_summary(forged_crm(), as_of=DAY)
    text = environment().get_template("summary.txt.j2").render(title=FORGED[0], s=figures)
    assert_no_forged_lines(text)


FORMATTING = {"line", "money", "number", "percent", "change", "count", "date", "length"}
OURS = {"as_of", "days", "kind", "label"}  # dates and figures sheetcrm made, KPI names
MESSAGES = {"_", "gettext", "ngettext"}


def _ours(node: jinja2.nodes.Node, assigned: set[str]) -> bool:
    """Whether ``node`` prints only text of ours or sheet text put on one line: a
    formatting filter, a constant, a figure of ours, a message whose placeholders are all
    such values, ``local.period(…)``, or a ``{% set %}`` name bound to one."""
    n = jinja2.nodes
    if isinstance(node, (n.TemplateData, n.Const)):
        return True
    if isinstance(node, n.Filter):
        if node.name == "format":
            return all(_ours(a, assigned) for a in node.args)
        return node.name in FORMATTING
    if isinstance(node, n.Getattr):
        return node.attr in OURS
    if isinstance(node, n.Name):
        return node.name in assigned or node.name == "v"  # v: summary's counts
    if isinstance(node, n.Call) and isinstance(node.node, n.Name) and node.node.name in MESSAGES:
        return all(isinstance(a, n.Const) or _ours(a, assigned) for a in node.args) and all(
            _ours(k.value, assigned) for k in node.kwargs
        )
    if isinstance(node, n.Call) and isinstance(node.node, n.Getattr):
        owner = node.node.node
        return isinstance(owner, n.Name) and owner.name == "local"  # local.period(data.period)
    if isinstance(node, n.Or):
        return _ours(node.left, assigned) and _ours(node.right, assigned)
    if isinstance(node, n.CondExpr):  # ", " if not loop.last
        return _ours(node.expr1, assigned) and (node.expr2 is None or _ours(node.expr2, assigned))
    return isinstance(node, n.Mul)  # "=" * n


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_value_in_the_text_templates_is_on_one_line(name):
    """A new line in a text template that prints sheet text without ``|line`` (or one of
    the formatting filters, whose output is ours) fails here — also a placeholder of a
    translated message (``_("Hello %(name)s", name=customer.name)``)."""
    env = environment()
    source = env.loader.get_source(env, name)[0]
    ast = jinja2.Environment().parse(source)
    assigned = set()
    for assign in ast.find_all(jinja2.nodes.Assign):
        assert _ours(assign.node, assigned), (name, assign)
        assigned.add(assign.target.name)
    for output in ast.find_all(jinja2.nodes.Output):
        for node in output.nodes:
            assert _ours(node, assigned), (name, node)


def test_the_one_line_check_catches_a_raw_placeholder():
    """The check above would fail on a message that takes sheet text as it is."""
    ast = jinja2.Environment().parse('{{ _("Hello %(name)s", name=customer.name) }}')
    (output,) = ast.find_all(jinja2.nodes.Output)
    assert not _ours(output.nodes[0], set())
    ast = jinja2.Environment().parse('{{ _("Hello %(name)s", name=customer.name|line) }}')
    (output,) = ast.find_all(jinja2.nodes.Output)
    assert _ours(output.nodes[0], set())


def test_one_line():
    assert one_line("a\r\nb\tc\x0bd\x85e\u2029f") == "a b c d e f"
    assert one_line("نیم\u200cفاصله \u200fok") == "نیم\u200cفاصله \u200fok"  # ZWNJ, RLM stay
    assert one_line(None) == "" and one_line(float("nan")) == "" and one_line(3) == "3"
