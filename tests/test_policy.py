"""Policies: steps, rules, the French default calendar."""

from __future__ import annotations

from decimal import Decimal

import pytest

from relancelib import Channel, InvalidFieldError, ReminderPolicy, Step, UnknownCalendarError


def test_french_default_calendar_matches_the_design() -> None:
    policy = ReminderPolicy.french_default()
    assert [(s.key, s.offset_days, s.channel) for s in policy.steps] == [
        ("courtoisie", -5, Channel.EMAIL),
        ("relance_1", 1, Channel.EMAIL),
        ("appel", 8, Channel.PHONE),
        ("relance_2", 15, Channel.EMAIL),
        ("lettre_relance", 30, Channel.LETTER),
        ("mise_en_demeure", 45, Channel.REGISTERED_LETTER),
    ]
    assert [s.key for s in policy.steps if s.include_penalties] == [
        "lettre_relance",
        "mise_en_demeure",
    ]
    assert (
        policy.min_gap_days,
        policy.min_balance,
        policy.business_days_only,
        policy.holidays,
    ) == (
        5,
        Decimal("0"),
        True,
        "FR",
    )


def test_french_default_accepts_rule_overrides() -> None:
    policy = ReminderPolicy.french_default(min_gap_days=7, holidays="FR-67")
    assert policy.min_gap_days == 7
    assert policy.calendar.code == "FR-67"


def test_step_navigation() -> None:
    policy = ReminderPolicy.french_default()
    assert policy.step_after(None) is not None
    assert policy.step_after(None).key == "courtoisie"
    assert policy.step_after("appel").key == "relance_2"  # type: ignore[union-attr]
    assert policy.step_after("mise_en_demeure") is None
    assert "appel" in policy
    assert "inconnu" not in policy
    with pytest.raises(
        InvalidFieldError, match="'inconnu' is not a step of policy 'french_default'"
    ):
        policy.index("inconnu")


def test_template_name_defaults_to_the_key() -> None:
    assert Step("relance_1", 1, Channel.EMAIL).template_name == "relance_1"
    assert Step("relance_1", 1, Channel.EMAIL, template="doux").template_name == "doux"


def test_min_gap_days_is_at_least_one() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"ReminderPolicy\.min_gap_days: 0 must be a whole number of days from 1",
    ):
        ReminderPolicy("p", [Step("a", 1, Channel.EMAIL)], min_gap_days=0)


def test_steps_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidFieldError, match=r"ReminderPolicy\.steps: 'b' is out of order"):
        ReminderPolicy("p", [Step("a", 10, Channel.EMAIL), Step("b", 5, Channel.EMAIL)])


def test_duplicate_step_keys_are_refused() -> None:
    with pytest.raises(InvalidFieldError, match="'a' appears twice"):
        ReminderPolicy("p", [Step("a", 1, Channel.EMAIL), Step("a", 5, Channel.EMAIL)])


def test_a_policy_needs_steps() -> None:
    with pytest.raises(InvalidFieldError, match="must hold at least one step"):
        ReminderPolicy("p", [])


def test_unknown_holiday_calendar_is_refused() -> None:
    with pytest.raises(UnknownCalendarError, match=r"ReminderPolicy\.holidays: 'DE'"):
        ReminderPolicy("p", [Step("a", 1, Channel.EMAIL)], holidays="DE")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Relance 1", 1, Channel.EMAIL), "Step.key"),
        (("a", 1.0, Channel.EMAIL), "Step.offset_days"),
        (("a", True, Channel.EMAIL), "Step.offset_days"),
        (("a", 1, "email"), "Step.channel"),
    ],
)
def test_step_fields_are_validated(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidFieldError, match=field.replace(".", r"\.")):
        Step(*args)  # type: ignore[arg-type]


def test_min_balance_must_be_a_non_negative_decimal() -> None:
    with pytest.raises(InvalidFieldError, match=r"ReminderPolicy\.min_balance"):
        ReminderPolicy("p", [Step("a", 1, Channel.EMAIL)], min_balance=Decimal("-1"))
    with pytest.raises(InvalidFieldError, match=r"ReminderPolicy\.min_balance"):
        ReminderPolicy("p", [Step("a", 1, Channel.EMAIL)], min_balance=0.5)  # type: ignore[arg-type]


def test_policies_are_hashable_values() -> None:
    assert ReminderPolicy.french_default() == ReminderPolicy.french_default()
    assert len({ReminderPolicy.french_default(), ReminderPolicy.french_default()}) == 1


def test_postal_channels() -> None:
    assert [c for c in Channel if c.is_postal] == [Channel.LETTER, Channel.REGISTERED_LETTER]
