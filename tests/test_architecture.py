"""The layout holds: public names stay where users import them, dependencies point one way,
no import cycle, no source file over ~500 lines (DESIGN.md, "Layout")."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import relancelib

SOURCE = Path(relancelib.__file__).parent

#: Every public name of release 0.1, by the module users imported it from: each must still
#: import from there after the restructuring into packages (a package's ``__all__`` may grow).
PUBLIC_0_1: dict[str, tuple[str, ...]] = {
    "relancelib.cli": ("ExitCode", "cli", "main", "carry_out", "DEMO_JOURNAL"),
    "relancelib.config": (
        "EXAMPLE_CONFIG", "Config", "SegmentPolicies", "Sources", "example_config",
        "load_config", "parse_config",
    ),
    "relancelib.display": ("CHANNEL_LABELS", "action_html", "plan_html", "records_html"),
    "relancelib.engine": (
        "Action", "ActionItem", "History", "HistorySource", "Plan", "PolicyLike", "Problem",
        "Severity", "action_key", "plan",
    ),
    "relancelib.errors": (
        "ConfigError", "CurrencyMismatchError", "DataImportError", "InvalidFieldError",
        "JournalError", "MissingDataError", "RateUnknownError", "RelanceError",
        "TemplateNotFoundError", "TemplateRenderError", "TemplateSecurityError",
        "UnknownCalendarError", "UnknownLocaleError",
    ),
    "relancelib.formatting": (
        "DateStyle", "amount_in_words", "format_amount", "format_date", "format_days",
        "format_number", "format_percent",
    ),
    "relancelib.io": (
        "AGED_BUCKETS", "CsvStyle", "FacturXInvoice", "ImportProblem", "ImportResult",
        "InvoicePayment", "Portfolio", "aged_balance", "attach_payments", "clients_from_frame",
        "invoices_from_frame", "parse_amount", "parse_date", "payments_from_frame",
        "plan_to_csv", "plan_to_frame", "read_clients_csv", "read_facturx",
        "read_facturx_files", "read_invoices_csv", "read_payments_csv", "read_portfolio",
        "records_to_frame", "write_clients_csv", "write_invoices_csv", "write_payments_csv",
    ),
    "relancelib.journal": ("Journal", "MemoryJournal", "Record", "SqliteJournal"),
    "relancelib.law": (
        "DEFAULT_RATES", "Granularity", "Penalties", "Period", "RateRow", "RateTable", "Rates",
        "check_payment_terms", "commercial_penalty_rate", "half_year", "late_penalties",
        "legal_interest", "legal_interest_rate", "payment_terms_limit", "prescription_date",
        "recovery_indemnity",
    ),
    "relancelib.model": (
        "Address", "Client", "ClientKind", "Creditor", "Invoice", "Payment", "check_currency",
        "check_date", "minor_unit", "to_money",
    ),
    "relancelib.policy": ("Channel", "ReminderPolicy", "Step"),
    "relancelib.rendering": (
        "TEMPLATE_FILTERS", "TEMPLATE_VARIABLES", "Message", "PaymentQR", "TemplatesLike",
        "builtin_templates", "epc_qr_payload", "render", "render_plan",
    ),
    "relancelib.sample": (
        "SAMPLE_FILE", "Sample", "load_sample", "sample_policy", "simulate", "vip_policy",
    ),
    "relancelib.strategies": (
        "CALENDARS", "MAX_DATE", "MIN_DATE", "addresses", "amounts", "clients", "dates",
        "invoices", "payments", "policies", "portfolios", "sirens", "steps",
    ),
    "relancelib.workdays": ("CALENDAR_CODES", "Calendar", "check_calendar_code"),
}  # fmt: skip

#: The top-level API, exactly: adding a name is a decision, removing one breaks users.
ROOT_API = (
    "Action", "ActionItem", "Address", "Calendar", "CallOutcome", "CallResult", "Cancellation",
    "Channel", "Client", "ClientKind", "ConfigError", "Creditor", "CurrencyMismatchError",
    "DataImportError", "Dispute", "DisputeResolved", "Event", "Explanation", "History", "Hold",
    "HoldReleased", "Instalment", "InstalmentPlan", "InvalidFieldError", "Invoice", "Journal",
    "JournalError", "MemoryJournal", "Message", "MissingDataError", "Payment", "Penalties",
    "Period", "Plan", "PostgresJournal", "Problem", "PromiseToPay", "RateUnknownError", "Rates",
    "Record", "RelanceError", "ReminderPolicy", "Severity", "SqliteJournal", "Step",
    "TemplateNotFoundError", "TemplateRenderError", "TemplateSecurityError",
    "UnknownCalendarError", "UnknownLocaleError", "__version__", "action_key",
    "amount_in_words", "explain", "format_amount", "format_date", "format_days",
    "format_number", "format_percent", "plan", "render", "render_plan",
)  # fmt: skip

#: The core: it decides and computes, and imports no outer layer.
CORE = (
    "relancelib.actions",
    "relancelib.assembly",
    "relancelib.checks",
    "relancelib.engine",
    "relancelib.errors",
    "relancelib.events",
    "relancelib.explain",
    "relancelib.formatting",
    "relancelib.journal",
    "relancelib.law",
    "relancelib.model",
    "relancelib.parsing",
    "relancelib.policy",
    "relancelib.steering",
    "relancelib.workdays",
)
#: The outer layers: reading and writing files, rendering, sending, reporting, the command.
OUTER = (
    "relancelib.cli",
    "relancelib.config",
    "relancelib.distributed",
    "relancelib.io",
    "relancelib.outbox",
    "relancelib.rendering",
    "relancelib.reports",
    "relancelib.sample",
    "relancelib.strategies",
)
#: The one presentation hook the core may import, inside the functions that display.
DISPLAY = "relancelib.display"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def _imports(name: str, path: Path) -> Iterator[tuple[str, bool, bool]]:
    """The relancelib modules ``name`` imports: (target, at module level, for type checking
    only).  Function-level imports count too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    typing_only = {
        id(child)
        for node in tree.body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            targets = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target == "relancelib" or target.startswith("relancelib."):
                typing = id(node) in typing_only
                yield target, id(node) in top_level or typing, typing


def _resolve(target: str, modules: dict[str, Path]) -> str | None:
    """The module a dotted import target lands in (``relancelib.law.claim`` → ``relancelib.law``)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    """Module → the modules it imports at run time (``TYPE_CHECKING`` imports left out)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _top, typing in _imports(name, path):
            landed = _resolve(target, modules)
            if landed is not None and landed != name and not typing:
                graph[name].add(landed)
    return graph


def _within(name: str, layer: tuple[str, ...]) -> bool:
    return any(name == top or name.startswith(top + ".") for top in layer)


@pytest.mark.parametrize("module", sorted(PUBLIC_0_1))
def test_every_public_name_of_0_1_still_imports_from_its_module(module: str) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in PUBLIC_0_1[module] if not hasattr(imported, name)]
    assert missing == []


def test_the_top_level_api_is_pinned() -> None:
    assert tuple(relancelib.__all__) == ROOT_API
    assert list(relancelib.__all__) == sorted(relancelib.__all__)
    assert all(hasattr(relancelib, name) for name in relancelib.__all__)


@pytest.mark.parametrize(
    "module", sorted(m for m in _modules() if not m.rpartition(".")[2].startswith("_"))
)
def test_every_all_is_sorted_and_importable(module: str) -> None:
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", None)
    if names is None:
        pytest.skip(f"{module} has no __all__ (a private module)")
    # Sorted plainly, or the isort way ruff's RUF022 uses (CONSTANTS, Classes, functions).
    assert list(names) in (sorted(names), sorted(names, key=_isort_key))
    assert [name for name in names if not hasattr(imported, name)] == []


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper() or (name.upper() == name and "_" in name):
        return 0, name
    return (1, name) if name[:1].isupper() else (2, name)


def test_the_core_imports_no_outer_layer_not_even_inside_a_function() -> None:
    modules = _modules()
    offending = []
    for name, path in modules.items():
        if not _within(name, CORE):
            continue
        for target, top_level, _typing in _imports(name, path):
            landed = _resolve(target, modules) or target
            if _within(landed, OUTER):
                offending.append(f"{name} -> {landed}")
            elif landed == DISPLAY and top_level:
                offending.append(f"{name} -> {landed} (display only lazily, when displaying)")
    assert offending == []


def test_display_imports_no_outer_layer() -> None:
    modules = _modules()
    offending = [
        target
        for target, _top, _typing in _imports(DISPLAY, modules[DISPLAY])
        if _within(_resolve(target, modules) or target, OUTER)
    ]
    assert offending == []


def test_there_is_no_import_cycle() -> None:
    """No cycle among modules, function-level imports counted; the core's lazy imports of the
    display hook (for notebook reprs and DataFrames) are the one allowed way back."""
    graph = _graph()
    for name in graph:
        if _within(name, CORE):
            graph[name].discard(DISPLAY)
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("path", sorted(SOURCE.rglob("*.py")), ids=lambda p: p.name)
def test_no_source_file_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(SOURCE)} has {lines} lines"
