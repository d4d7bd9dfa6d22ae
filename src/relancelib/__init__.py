"""relancelib — French invoice dunning (*relance de factures impayées*).

Given an invoicing application's clients, invoices and payments, relancelib decides
**whom to remind, about which invoices, through which channel, today** —
deterministically — and writes the reminder in correct French, with the legal figures
right.

>>> import datetime as dt
>>> from decimal import Decimal
>>> import relancelib as rl
>>> client = rl.Client("C1", "Boulangerie Martin", email="compta@martin.fr")
>>> invoice = rl.Invoice("F-001", "C1", dt.date(2025, 3, 1), dt.date(2025, 3, 31), Decimal("1200"))
>>> today = rl.plan([invoice], [client], rl.ReminderPolicy.french_default(), dt.date(2025, 4, 1))
>>> [(a.client.id, a.step.key) for a in today.actions]
[('C1', 'relance_1')]
"""

from relancelib.engine import (
    Action,
    ActionItem,
    History,
    Plan,
    Problem,
    Severity,
    action_key,
    explain,
    plan,
)
from relancelib.errors import (
    ConfigError,
    CurrencyMismatchError,
    DataImportError,
    InvalidFieldError,
    JournalError,
    MissingDataError,
    RateUnknownError,
    RelanceError,
    TemplateNotFoundError,
    TemplateRenderError,
    TemplateSecurityError,
    UnknownCalendarError,
    UnknownLocaleError,
)
from relancelib.events import (
    CallOutcome,
    CallResult,
    Cancellation,
    Dispute,
    DisputeResolved,
    Event,
    Hold,
    HoldReleased,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.explain import Explanation
from relancelib.formatting import (
    amount_in_words,
    format_amount,
    format_date,
    format_days,
    format_number,
    format_percent,
)
from relancelib.journal import Journal, MemoryJournal, PostgresJournal, Record, SqliteJournal
from relancelib.law import Penalties, Period, Rates
from relancelib.model import Address, Client, ClientKind, Creditor, Invoice, Payment
from relancelib.policy import Channel, ReminderPolicy, Step
from relancelib.rendering import Message, render, render_plan
from relancelib.workdays import Calendar

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActionItem",
    "Address",
    "Calendar",
    "CallOutcome",
    "CallResult",
    "Cancellation",
    "Channel",
    "Client",
    "ClientKind",
    "ConfigError",
    "Creditor",
    "CurrencyMismatchError",
    "DataImportError",
    "Dispute",
    "DisputeResolved",
    "Event",
    "Explanation",
    "History",
    "Hold",
    "HoldReleased",
    "Instalment",
    "InstalmentPlan",
    "InvalidFieldError",
    "Invoice",
    "Journal",
    "JournalError",
    "MemoryJournal",
    "Message",
    "MissingDataError",
    "Payment",
    "Penalties",
    "Period",
    "Plan",
    "PostgresJournal",
    "Problem",
    "PromiseToPay",
    "RateUnknownError",
    "Rates",
    "Record",
    "RelanceError",
    "ReminderPolicy",
    "Severity",
    "SqliteJournal",
    "Step",
    "TemplateNotFoundError",
    "TemplateRenderError",
    "TemplateSecurityError",
    "UnknownCalendarError",
    "UnknownLocaleError",
    "__version__",
    "action_key",
    "amount_in_words",
    "explain",
    "format_amount",
    "format_date",
    "format_days",
    "format_number",
    "format_percent",
    "plan",
    "render",
    "render_plan",
]
