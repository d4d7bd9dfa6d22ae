"""Robustness, as python-stdnum tests it: feed junk to every public entry point.

Whatever the junk, the answer is either a valid object that kept the value as given, or a
:class:`relancelib.RelanceError` (also a ``ValueError``) whose message names the field —
never a ``KeyError``, ``AttributeError``, ``TypeError`` or ``decimal.InvalidOperation``
escaping from inside the library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relancelib import (
    Address,
    Calendar,
    Channel,
    Client,
    Creditor,
    Invoice,
    MemoryJournal,
    Payment,
    RelanceError,
    ReminderPolicy,
    SqliteJournal,
    Step,
    plan,
)

D = dt.date

JUNK: list[tuple[str, object]] = [
    ("None", None),
    ("empty", ""),
    ("euro-sign", "€"),
    ("float-nan", float("nan")),
    ("decimal-nan", Decimal("NaN")),
    ("minus-one", -1),
    ("huge", 10**30),
    ("object", object()),
    ("float", 1.5),
    ("datetime", dt.datetime(2025, 3, 31, 12, 0)),
    ("nul", "\x00"),
    ("bytes", b"F-001"),
    ("list", []),
]

ADDRESS = Address(("12 rue de la Paix",), "75002", "Paris")
STEP = Step("relance_1", 1, Channel.EMAIL)

# For each public constructor: valid arguments, and the name its errors use.
VALID: dict[str, tuple[Callable[..., Any], dict[str, object]]] = {
    "Address": (
        Address,
        {"lines": ("12 rue de la Paix",), "postal_code": "75002", "city": "Paris", "country": "FR"},
    ),
    "Client": (
        Client,
        {
            "id": "C1",
            "name": "Boulangerie Martin",
            "email": "compta@martin.fr",
            "phone": "01 23 45 67 89",
            "address": ADDRESS,
            "locale": "fr_FR",
            "segment": "standard",
            "siren": "732829320",
            "penalty_rate": Decimal("10"),
        },
    ),
    "Payment": (
        Payment,
        {"on": D(2025, 4, 2), "amount": Decimal("10.00"), "currency": "EUR", "reference": "VIR 1"},
    ),
    "Invoice": (
        Invoice,
        {
            "number": "F-001",
            "client_id": "C1",
            "issue_date": D(2025, 3, 1),
            "due_date": D(2025, 3, 31),
            "amount": Decimal("120.00"),
            "currency": "EUR",
            "payments": (),
            "disputed": False,
            "hold_until": None,
            "sent_on": None,
        },
    ),
    "Creditor": (
        Creditor,
        {
            "name": "Atelier Dupont",
            "address": ADDRESS,
            "siren": "732829320",
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPP",
            "email": "compta@dupont.fr",
            "phone": "04 72 00 00 00",
            "payment_link": "https://pay.example.fr/F-001",
            "signatory": "Jeanne Dupont",
        },
    ),
    "Step": (
        Step,
        {
            "key": "relance_1",
            "offset_days": 1,
            "channel": Channel.EMAIL,
            "template": None,
            "include_penalties": False,
        },
    ),
    "ReminderPolicy": (
        ReminderPolicy,
        {
            "name": "standard",
            "steps": (STEP,),
            "min_gap_days": 5,
            "min_balance": Decimal("0"),
            "business_days_only": True,
            "holidays": "FR",
        },
    ),
    "Calendar": (Calendar, {"code": "FR"}),
    "SqliteJournal": (SqliteJournal, {"path": "journal.db", "timeout": 5.0}),
    "MemoryJournal": (MemoryJournal, {"records": ()}),
}

_ALL = {label for label, _junk in JUNK}

# Known defects, each shown by strict xfails: the reason and the junk that shows it (none
# left: the ones this file found are fixed, and their cases now pass).
_BUGS: dict[tuple[str, str], tuple[str, set[str]]] = {}


def _cases() -> list[Any]:
    cases = []
    for target, (_factory, arguments) in VALID.items():
        for field in arguments:
            reason, shown = _BUGS.get((target, field), ("", set()))
            for label, junk in JUNK:
                marks = []
                if label in shown:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                cases.append(
                    pytest.param(target, field, junk, id=f"{target}.{field}-{label}", marks=marks)
                )
    return cases


def _field_names(target: str, field: str) -> tuple[str, ...]:
    """The names an error about ``field`` may give (a date out of order names either date)."""
    if target == "MemoryJournal":
        return ("records",)
    if target == "Invoice" and field in ("issue_date", "due_date"):
        return ("Invoice.issue_date", "Invoice.due_date")
    return (f"{target}.{field}",)


def _attempt(factory: Callable[..., Any], arguments: dict[str, object]) -> Any:
    """The object built, or the RelanceError raised (any other exception propagates)."""
    try:
        return factory(**arguments)
    except RelanceError as exc:
        return exc


def _names_field(error: RelanceError, target: str, field: str) -> bool:
    return isinstance(error, ValueError) and any(
        name in str(error) for name in _field_names(target, field)
    )


def _same(stored: object, given: object) -> bool:
    if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        return stored == given or stored is given
    return tuple(stored) == tuple(given)  # type: ignore[call-overload]


@pytest.mark.parametrize(("target", "field", "junk"), _cases())
def test_junk_gives_an_error_naming_the_field_or_is_kept_as_given(
    target: str, field: str, junk: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a junk path such as '€' is a file name: keep it here
    factory, arguments = VALID[target]
    made = _attempt(factory, {**arguments, field: junk})
    if isinstance(made, RelanceError):
        assert _names_field(made, target, field), str(made)
        return
    if isinstance(made, SqliteJournal):
        made.close()
        return
    if target != "MemoryJournal":
        assert _same(getattr(made, field), junk), f"{target}.{field} changed {junk!r}"


def test_valid_arguments_are_valid() -> None:
    for target, (factory, arguments) in VALID.items():
        if target != "SqliteJournal":
            factory(**arguments)


# ---------------------------------------------------------------------------------------------
# plan() and journal.record()

CLIENT = Client("C1", "Boulangerie Martin", email="compta@martin.fr")
INVOICE = Invoice("F-001", "C1", D(2025, 3, 1), D(2025, 3, 31), Decimal("120.00"))
POLICY = ReminderPolicy.french_default()
PLAN_ARGS: dict[str, object] = {
    "invoices": [INVOICE],
    "clients": [CLIENT],
    "policy": POLICY,
    "as_of": D(2025, 4, 1),
    "journal": MemoryJournal(),
}


@pytest.mark.parametrize(("label", "junk"), JUNK, ids=[label for label, _ in JUNK])
@pytest.mark.parametrize("argument", list(PLAN_ARGS))
def test_plan_refuses_junk_naming_the_argument(argument: str, label: str, junk: object) -> None:
    if argument == "journal" and junk is None:
        assert plan(**{**PLAN_ARGS, "journal": None}).actions  # type: ignore[arg-type]
        return
    if argument in ("invoices", "clients") and label == "list":
        # An empty list is valid: nothing to chase (or every invoice without its client).
        plan(**{**PLAN_ARGS, argument: junk})  # type: ignore[arg-type]
        return
    with pytest.raises(RelanceError, match=rf"^{argument}\b"):
        plan(**{**PLAN_ARGS, argument: junk})  # type: ignore[arg-type]


@pytest.mark.parametrize(("label", "junk"), JUNK, ids=[label for label, _ in JUNK])
@pytest.mark.parametrize("argument", ["invoices", "clients"])
def test_plan_refuses_junk_among_the_invoices_or_clients(
    argument: str, label: str, junk: object
) -> None:
    with pytest.raises(RelanceError, match=rf"^{argument}\b"):
        plan(**{**PLAN_ARGS, argument: [*PLAN_ARGS[argument], junk]})  # type: ignore[arg-type,misc]


def test_plan_refuses_a_policy_callable_that_returns_junk() -> None:
    with pytest.raises(RelanceError, match=r"^policy"):
        plan([INVOICE], [CLIENT], lambda client: "FR", D(2025, 4, 1))


def test_plan_refuses_a_journal_whose_history_is_junk() -> None:
    class Liar:
        def history(self, as_of: dt.date) -> object:
            return {"F-001": ["relance_1"]}

    with pytest.raises(RelanceError, match=r"^journal"):
        plan([INVOICE], [CLIENT], POLICY, D(2025, 4, 1), Liar())  # type: ignore[arg-type]


def test_plan_names_as_of_for_a_date_the_calendar_does_not_cover() -> None:
    with pytest.raises(RelanceError, match=r"^as_of"):
        plan([INVOICE], [CLIENT], POLICY, D(1, 1, 1))


@pytest.fixture(params=["memory", "sqlite"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        yield MemoryJournal()
    else:
        with SqliteJournal(tmp_path / "journal.db") as sqlite:
            yield sqlite


@pytest.mark.parametrize(("label", "junk"), JUNK, ids=[label for label, _ in JUNK])
def test_record_refuses_junk_naming_the_argument(journal: Any, label: str, junk: object) -> None:
    (action,) = plan([INVOICE], [CLIENT], POLICY, D(2025, 4, 1)).actions
    with pytest.raises(RelanceError, match=r"^action"):
        journal.record(junk)
    if junk is not None:
        with pytest.raises(RelanceError, match=r"^on"):
            journal.record(action, on=junk)
        if label != "euro-sign":  # '€' is a valid (if odd) reference
            with pytest.raises(RelanceError, match=r"^reference"):
                journal.record(action, reference=junk)
    assert journal.records() == ()
    assert journal.record(action, reference="<msg-1@martin.fr>")


@pytest.mark.parametrize(
    ("label", "junk"),
    [*JUNK, ("datetime-noon", dt.datetime(2025, 4, 1, 12, 0))],
    ids=[*(label for label, _ in JUNK), "datetime-noon"],
)
def test_journal_history_refuses_junk_naming_as_of(journal: Any, label: str, junk: object) -> None:
    (action,) = plan([INVOICE], [CLIENT], POLICY, D(2025, 4, 1)).actions
    journal.record(action)
    with pytest.raises(RelanceError, match=r"as_of"):
        journal.history(junk)


@pytest.mark.parametrize(("label", "junk"), JUNK, ids=[label for label, _ in JUNK])
def test_journal_records_refuses_junk_naming_client_id(
    journal: Any, label: str, junk: object
) -> None:
    (action,) = plan([INVOICE], [CLIENT], POLICY, D(2025, 4, 1)).actions
    journal.record(action)
    if junk is None:
        assert len(journal.records(junk)) == 1  # None: every client
    elif isinstance(junk, str):
        assert journal.records(junk) == ()  # an id no client has
    else:
        with pytest.raises(RelanceError, match=r"^client_id"):
            journal.records(junk)


# ---------------------------------------------------------------------------------------------
# Nothing is silently changed


def test_amounts_are_quantized_to_the_unit_but_never_rounded() -> None:
    invoice = Invoice("F-1", "C1", D(2025, 3, 1), D(2025, 3, 31), Decimal("10.5"))
    assert invoice.amount == Decimal("10.50")
    assert str(invoice.amount) == "10.50"
    for amount in (Decimal("10.005"), Decimal("0.001"), Decimal("1E-3")):
        with pytest.raises(RelanceError, match=r"Invoice\.amount"):
            Invoice("F-1", "C1", D(2025, 3, 1), D(2025, 3, 31), amount)
    with pytest.raises(RelanceError, match=r"Invoice\.amount"):
        Invoice("F-1", "C1", D(2025, 3, 1), D(2025, 3, 31), Decimal("10.5"), currency="JPY")
    with pytest.raises(RelanceError, match=r"Payment\.amount"):
        Payment(D(2025, 4, 1), Decimal("10.005"), currency="EUR")
    with pytest.raises(RelanceError, match=r"Payment\.amount"):
        Invoice(
            "F-1",
            "C1",
            D(2025, 3, 1),
            D(2025, 3, 31),
            Decimal("20.00"),
            payments=[Payment(D(2025, 4, 1), Decimal("10.005"))],
        )
    assert Payment(D(2025, 4, 1), Decimal("10.5"), currency="EUR").amount == Decimal("10.50")


def test_text_and_rates_are_kept_exactly_as_given() -> None:
    client = Client(
        "C 1", "  Café de l'Église  ", email="Compta@Martin.fr", penalty_rate=Decimal("10.005")
    )
    assert client.id == "C 1"
    assert client.name == "  Café de l'Église  "
    assert client.email == "Compta@Martin.fr"
    assert client.penalty_rate == Decimal("10.005")
    policy = ReminderPolicy("p", [STEP], min_balance=Decimal("10.005"))
    assert policy.min_balance == Decimal("10.005")
    assert policy.steps == (STEP,)


def test_payment_amount_is_always_a_decimal() -> None:
    assert isinstance(Payment(D(2025, 4, 1), 10).amount, Decimal)


# ---------------------------------------------------------------------------------------------
# Random junk, field by field

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.dates(),
    st.datetimes(),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(list(Channel)),
)
_FUZZED = [
    (t, f) for t, (_c, a) in VALID.items() for f in a if t not in ("SqliteJournal", "MemoryJournal")
]


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(target_field=st.sampled_from(_FUZZED), junk=anything)
def test_random_junk_only_ever_raises_relance_error(
    target_field: tuple[str, str], junk: object
) -> None:
    target, field = target_field
    if (target, field) in _BUGS:
        return
    factory, arguments = VALID[target]
    made = _attempt(factory, {**arguments, field: junk})
    if isinstance(made, RelanceError):
        assert _names_field(made, target, field), str(made)
    elif isinstance(junk, Decimal | int) and not isinstance(junk, bool):
        assert getattr(made, field) == junk


_TEXT_FIELDS = [
    ("Client", "email"),
    ("Client", "phone"),
    ("Client", "locale"),
    ("Client", "siren"),
    ("Creditor", "iban"),
    ("Creditor", "bic"),
    ("Creditor", "payment_link"),
    ("Address", "postal_code"),
    ("Address", "country"),
    ("Step", "key"),
    ("Calendar", "code"),
]


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    target_field=st.sampled_from(_TEXT_FIELDS),
    text=st.text(max_size=40) | st.emails() | st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z0-9 ]{8,30}"),
)
def test_random_text_in_checked_fields_only_ever_raises_relance_error(
    target_field: tuple[str, str], text: str
) -> None:
    target, field = target_field
    factory, arguments = VALID[target]
    made = _attempt(factory, {**arguments, field: text})
    if isinstance(made, RelanceError):
        assert _names_field(made, target, field), str(made)
