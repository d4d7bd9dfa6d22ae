"""relance.toml: loads the example, and names the file, line and key of every bad input."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from relancelib import Channel, Client, ClientKind, ConfigError, RelanceError, ReminderPolicy
from relancelib.config import (
    EXAMPLE_CONFIG,
    SegmentPolicies,
    example_config,
    load_config,
    parse_config,
)
from relancelib.config.positions import key_lines
from relancelib.sample import load_sample, sample_policy

MINIMAL = """\
[creditor]
name = "Atelier Dupont SARL"
iban = "FR76 3000 6000 0112 3456 7890 189"

[creditor.address]
lines = ["12 rue de la République"]
postal_code = "69002"
city = "Lyon"
"""

STEPS = """
[[policy.steps]]
key = "relance_1"
offset_days = 1
channel = "email"

[[policy.steps]]
key = "appel"
offset_days = 8
channel = "phone"

[[policy.steps]]
key = "mise_en_demeure"
offset_days = 30
channel = "registered_letter"
include_penalties = true
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="relance.toml")
    return info.value


def assert_names(error: ConfigError, line: int, key: str) -> None:
    message = str(error)
    assert message.startswith(f"relance.toml:{line}: {key}: "), message
    assert "\n" not in message
    assert error.field == key


# ---------------------------------------------------------------------------------------------
# Good files


def test_example_config_loads_with_every_section(tmp_path: Path) -> None:
    config = parse_config(EXAMPLE_CONFIG, base_dir=tmp_path)
    assert config.creditor.name == "Atelier Dupont SARL"
    assert config.creditor.iban == "FR7630006000011234567890189"
    assert config.creditor.siren == "732829320"
    assert config.creditor.payment_link == "https://paiement.atelier-dupont.fr"
    assert config.default_policy.steps == ReminderPolicy.french_default().steps
    assert config.default_policy.min_balance == Decimal("15.00")
    assert config.default_policy.min_gap_days == 5
    assert config.calendar == "FR"
    vip = config.policy.segments["vip"]
    assert vip.min_gap_days == 10
    assert vip.min_balance == Decimal("15.00")  # inherited from [policy]
    assert vip.steps == config.default_policy.steps
    assert config.journal == tmp_path / "relance-journal.sqlite"
    assert config.sources.clients == tmp_path / "clients.csv"
    assert config.sources.invoices == tmp_path / "factures.csv"
    assert config.sources.payments == tmp_path / "reglements.csv"
    assert config.sources.facturx is None
    assert config.templates is None
    assert config.rates is None


def test_load_config_resolves_paths_against_the_files_folder(tmp_path: Path) -> None:
    file = tmp_path / "conf" / "relance.toml"
    file.parent.mkdir()
    file.write_text(
        MINIMAL.replace("[creditor]", 'journal = "data/j.sqlite"\ntemplates = "/abs/modeles"\n[creditor]'),
        encoding="utf-8",
    )
    config = load_config(file)
    assert config.path == file
    assert config.journal == tmp_path / "conf" / "data" / "j.sqlite"
    assert config.templates == Path("/abs/modeles")


def test_minimal_config_uses_the_french_default_policy() -> None:
    config = parse_config(MINIMAL)
    assert config.default_policy == ReminderPolicy.french_default()
    assert config.policy.segments == {}
    assert config.sources.is_empty
    assert config.journal == Path("relance-journal.sqlite")


def test_policy_may_be_a_preset_name_string() -> None:
    config = parse_config('policy = "french_default"\n' + MINIMAL)
    assert config.default_policy == ReminderPolicy.french_default()


def test_explicit_steps_build_the_policy() -> None:
    config = parse_config(MINIMAL + "[policy]\nname = \"maison\"\nmin_gap_days = 7\nholidays = \"FR-67\"\n" + STEPS)
    policy = config.default_policy
    assert policy.name == "maison"
    assert [s.key for s in policy.steps] == ["relance_1", "appel", "mise_en_demeure"]
    assert policy.steps[2].channel is Channel.REGISTERED_LETTER
    assert policy.steps[2].include_penalties
    assert policy.min_gap_days == 7
    assert policy.holidays == "FR-67"


def test_segment_policies_choose_by_client_segment() -> None:
    text = MINIMAL + "[policies.vip]\nmin_gap_days = 12\n[policies.petits]\npreset = \"french_default\"\nmin_balance = \"50\"\n"
    config = parse_config(text)
    vip = Client("C1", "Hôtel", segment="vip")
    small = Client("C2", "Café", segment="petits")
    other = Client("C3", "Garage")
    assert config.policy(vip).min_gap_days == 12
    assert config.policy(vip).name == "vip"
    assert config.default_policy.name == "french_default"
    assert config.policy(small).min_balance == Decimal("50")
    assert config.policy(other) is config.default_policy
    assert config.policy(vip) is config.policy(Client("C4", "Autre", segment="vip"))


def test_segment_steps_replace_the_inherited_ones() -> None:
    text = MINIMAL + "[policy]\npreset = \"french_default\"\nmin_gap_days = 6\n[[policies.vip.steps]]\nkey = \"relance_1\"\noffset_days = 10\nchannel = \"email\"\n"
    vip = parse_config(text).policy.segments["vip"]
    assert [s.key for s in vip.steps] == ["relance_1"]
    assert vip.min_gap_days == 6


def test_toml_decimals_are_read_exactly() -> None:
    config = parse_config(MINIMAL + "[policy]\npreset = \"french_default\"\nmin_balance = 0.10\n")
    assert config.default_policy.min_balance == Decimal("0.10")


def test_law_rows_extend_the_rate_tables() -> None:
    text = MINIMAL + """
[[law.mro]]
start = 2026-07-01
rate = 2.15
source = "BCE"

[[law.legal_interest]]
start = 2026-07-01
rate = 2.50
private_creditor_rate = 6.40
source = "arrêté"
"""
    rates = parse_config(text).rates
    assert rates is not None
    assert rates.mro.rate_on(dt.date(2026, 7, 1)) == Decimal("2.15")
    assert rates.legal.rate_on(dt.date(2026, 9, 1)) == Decimal("2.50")
    assert rates.legal_private.rate_on(dt.date(2026, 9, 1)) == Decimal("6.40")


def test_example_config_with_the_sample_creditor_and_vip_policy_round_trips() -> None:
    sample = load_sample()
    segments = sample_policy().segments
    config = parse_config(example_config(creditor=sample.creditor, segments=segments))
    assert config.creditor == sample.creditor
    assert config.policy.segments["vip"].steps == segments["vip"].steps
    assert config.policy.segments["vip"].min_gap_days == segments["vip"].min_gap_days


def test_example_config_quotes_a_segment_name_that_is_not_a_bare_key() -> None:
    sample = load_sample()
    policy = ReminderPolicy.french_default(min_gap_days=12)
    text = example_config(creditor=sample.creditor, segments={"Grands comptes": policy})
    assert '[policies."Grands comptes"]' in text
    config = parse_config(text)
    assert config.policy.segments["Grands comptes"].min_gap_days == 12


def test_example_config_and_load_portfolio_refuse_junk_naming_the_argument() -> None:
    from relancelib.config import load_portfolio

    with pytest.raises(RelanceError, match=r"^creditor: 'Atelier' must be a Creditor$"):
        example_config(creditor="Atelier")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^segments: \['vip'\] must be a mapping of segment"):
        example_config(segments=["vip"])  # type: ignore[arg-type]
    with pytest.raises(RelanceError, match=r"^segments\['vip'\]: None must be a ReminderPolicy$"):
        example_config(segments={"vip": None})  # type: ignore[dict-item]
    with pytest.raises(RelanceError, match=r"^config: None must be a Config \(see load_config\)$"):
        load_portfolio(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^base_dir: b'x' must be a folder path$"):
        parse_config(MINIMAL, base_dir=b"x")  # type: ignore[arg-type]


def test_segment_policies_is_a_policy_callable_for_the_engine() -> None:
    default = ReminderPolicy.french_default()
    policies = SegmentPolicies(default, {"vip": ReminderPolicy.french_default(min_gap_days=9)})
    assert policies(Client("C1", "X", kind=ClientKind.CONSUMER)) is default
    assert policies.policies()[0] is default
    with pytest.raises(TypeError):
        policies.segments["x"] = default  # type: ignore[index]


# ---------------------------------------------------------------------------------------------
# Bad files: each error names the file, the line and the key.


def test_unknown_top_level_key() -> None:
    text = 'jounral = "x.sqlite"\n' + MINIMAL
    error = error_of(text)
    assert_names(error, line_of(text, "jounral"), "jounral")
    assert "unknown key" in str(error)
    assert "'journal'" in str(error)  # did you mean


def test_unknown_key_in_creditor() -> None:
    text = MINIMAL.replace('name = "Atelier', 'nom = "x"\nname = "Atelier')
    error = error_of(text)
    assert_names(error, 2, "creditor.nom")


def test_unknown_key_in_a_step() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace('offset_days = 8', 'offset_days = 8\ndelay = 3')
    assert_names(error_of(text), line_of(text, "delay"), "policy.steps[2].delay")


def test_unknown_key_in_a_segment_policy() -> None:
    text = MINIMAL + "[policies.vip]\nmin_gap = 3\n"
    assert_names(error_of(text), line_of(text, "min_gap ="), "policies.vip.min_gap")


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 188", "creditor.iban", "not a valid IBAN"),
        ('iban = "FR76', 'siren = "123456789"\niban = "FR76', "creditor.siren", "not a valid SIREN"),
        ('postal_code = "69002"', 'postal_code = "6902"', "creditor.address.postal_code", "postal code"),
        ('city = "Lyon"', 'city = "Lyon"\ncountry = "XX"', "creditor.address.country", "country code"),
        ('iban = "FR76', 'payment_link = "http://pay.example.fr"\niban = "FR76', "creditor.payment_link", "https://"),
        ('iban = "FR76', 'email = "compta@"\niban = "FR76', "creditor.email", "e-mail address"),
        ('iban = "FR76', 'bic = 12\niban = "FR76', "creditor.bic", "must be a string"),
    ],
)
def test_invalid_creditor_field(old: str, new: str, key: str, words: str) -> None:
    text = MINIMAL.replace(old, new)
    needle = key.rsplit(".", 1)[1] + " ="
    error = error_of(text)
    assert_names(error, line_of(text, needle), key)
    assert words in str(error)


def test_wrong_iban_names_the_key_and_its_line() -> None:
    text = EXAMPLE_CONFIG.replace("7890 189", "7890 190")
    error = error_of(text)
    assert_names(error, line_of(text, "iban = "), "creditor.iban")
    assert "'FR76 3000 6000 0112 3456 7890 190'" in str(error)


def test_missing_creditor_table() -> None:
    error = error_of('journal = "j.sqlite"\n')
    assert str(error) == "relance.toml: creditor: is required: the [creditor] table is missing"


def test_missing_creditor_name() -> None:
    text = MINIMAL.replace('name = "Atelier Dupont SARL"\n', "")
    assert_names(error_of(text), 1, "creditor.name")


def test_steps_out_of_order_in_arrays_of_tables() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace("offset_days = 30", "offset_days = 5")
    error = error_of(text)
    assert_names(error, line_of(text, "offset_days = 5"), "policy.steps[3].offset_days")
    assert "out of order" in str(error)
    assert "'appel'" in str(error)


def test_steps_out_of_order_in_an_inline_array() -> None:
    text = MINIMAL + """[policy]
steps = [
  { key = "relance_1", offset_days = 3, channel = "email" },
  { key = "appel", offset_days = 2, channel = "phone" },
]
"""
    assert_names(error_of(text), line_of(text, '"appel"'), "policy.steps[2].offset_days")


def test_steps_out_of_order_in_a_segment_policy() -> None:
    text = MINIMAL + STEPS.replace("policy.steps", "policies.vip.steps").replace("offset_days = 8", "offset_days = 1")
    assert_names(error_of(text), line_of(text, "offset_days = 1", 2), "policies.vip.steps[2].offset_days")


def test_duplicate_step_key() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace('key = "appel"', 'key = "relance_1"')
    error = error_of(text)
    assert_names(error, line_of(text, 'key = "relance_1"', 2), "policy.steps[2].key")
    assert "used twice" in str(error)


def test_unknown_channel() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace('channel = "phone"', 'channel = "fax"')
    error = error_of(text)
    assert_names(error, line_of(text, '"fax"'), "policy.steps[2].channel")
    assert "registered_letter" in str(error)


def test_step_key_refused_by_the_policy_model() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace('key = "appel"', 'key = "Appel Client"')
    assert_names(error_of(text), line_of(text, "Appel Client"), "policy.steps[2].key")


def test_offset_must_be_a_whole_number() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace("offset_days = 8", "offset_days = 8.5")
    error = error_of(text)
    assert_names(error, line_of(text, "8.5"), "policy.steps[2].offset_days")
    assert "whole number" in str(error)


def test_missing_step_field() -> None:
    text = MINIMAL + "[policy]\n" + STEPS.replace('channel = "phone"\n', "")
    assert_names(error_of(text), line_of(text, 'key = "appel"') - 1, "policy.steps[2].channel")


@pytest.mark.parametrize(
    ("setting", "key", "words"),
    [
        ("min_gap_days = 0", "policy.min_gap_days", "from 1 to 366"),
        ("min_gap_days = \"5\"", "policy.min_gap_days", "whole number"),
        ("min_balance = -1", "policy.min_balance", "zero or more"),
        ("min_balance = \"beaucoup\"", "policy.min_balance", "not a number"),
        ("business_days_only = \"oui\"", "policy.business_days_only", "true or false"),
        ("holidays = \"FR-99\"", "policy.holidays", "calendar code"),
    ],
)
def test_invalid_policy_rule(setting: str, key: str, words: str) -> None:
    text = MINIMAL + f"[policy]\npreset = \"french_default\"\n{setting}\n"
    error = error_of(text)
    assert_names(error, line_of(text, setting), key)
    assert words in str(error)


def test_unknown_preset() -> None:
    text = MINIMAL + "[policy]\npreset = \"german\"\n"
    error = error_of(text)
    assert_names(error, line_of(text, "german"), "policy.preset")
    assert "french_default" in str(error)


def test_unknown_preset_as_a_string() -> None:
    text = 'policy = "strict"\n' + MINIMAL
    assert_names(error_of(text), 1, "policy")


def test_preset_and_steps_together() -> None:
    text = MINIMAL + "[policy]\npreset = \"french_default\"\n" + STEPS
    assert "either 'preset' or 'steps'" in str(error_of(text))


def test_policy_without_preset_nor_steps() -> None:
    text = MINIMAL + "[policy]\nmin_gap_days = 3\n"
    assert_names(error_of(text), line_of(text, "[policy]"), "policy")


def test_policies_must_be_tables() -> None:
    text = MINIMAL + "[policies]\nvip = 3\n"
    assert_names(error_of(text), line_of(text, "vip = 3"), "policies.vip")


def test_invalid_source_encoding() -> None:
    text = MINIMAL + "[sources]\nclients = \"c.csv\"\ninvoices = \"f.csv\"\nencoding = \"klingon\"\n"
    assert_names(error_of(text), line_of(text, "klingon"), "sources.encoding")


def test_invoices_source_needs_a_clients_source() -> None:
    text = MINIMAL + "[sources]\ninvoices = \"f.csv\"\n"
    assert_names(error_of(text), line_of(text, "f.csv"), "sources.invoices")


def test_wrong_type_for_a_path() -> None:
    text = "templates = 3\n" + MINIMAL
    assert_names(error_of(text), 1, "templates")


@pytest.mark.parametrize(
    ("row", "key", "words"),
    [
        ("start = 2026-07-01\nrate = 2.15\n", "law.mro[1].source", "is required"),
        ("start = 2020-07-01\nrate = 2.15\nsource = \"x\"\n", "law.mro[1].start", "must be after the last row"),
        ("start = \"juillet\"\nrate = 2.15\nsource = \"x\"\n", "law.mro[1].start", "must be a date"),
        ("start = 2026-07-01\nrate = \"deux\"\nsource = \"x\"\n", "law.mro[1].rate", "not a number"),
    ],
)
def test_invalid_rate_row(row: str, key: str, words: str) -> None:
    text = MINIMAL + "\n[[law.mro]]\n" + row
    error = error_of(text)
    needle = {"source": "[[law.mro]]"}.get(key.rsplit(".", 1)[1], key.rsplit(".", 1)[1] + " =")
    assert_names(error, line_of(text, needle), key)
    assert words in str(error)


def test_legal_rate_row_must_start_a_half_year() -> None:
    text = MINIMAL + "\n[[law.legal_interest]]\nstart = 2026-07-02\nrate = 2.5\nsource = \"x\"\n"
    error = error_of(text)
    assert_names(error, line_of(text, "start ="), "law.legal_interest[1].start")
    assert "1 January or 1 July" in str(error)


def test_toml_syntax_error_names_the_line() -> None:
    text = MINIMAL + "[policy\npreset = 1\n"
    error = error_of(text)
    assert re.match(rf"relance\.toml:{line_of(text, '[policy')}: not valid TOML: ", str(error))


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such file \(run 'relance init"):
        load_config(tmp_path / "absent.toml")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / "relance.toml"
    file.write_bytes(MINIMAL.replace("République", "R\xe9publique").encode("cp1252"))
    with pytest.raises(ConfigError, match=r"relance\.toml:6: the file is not UTF-8"):
        load_config(file)


def test_config_error_is_a_relance_error_and_a_value_error() -> None:
    error = error_of(MINIMAL + "x = 1\n")
    assert isinstance(error, RelanceError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("junk", [None, b"bytes", 3, object()])
def test_parse_config_refuses_junk(junk: object) -> None:
    with pytest.raises(ConfigError):
        parse_config(junk)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The line finder.


def test_key_lines_follow_tables_arrays_dotted_and_quoted_keys() -> None:
    text = """\
a = 1
b.c = 2
"d e" = 3
[t]
x = 1
s = \"\"\"
y = 'not a key'
\"\"\"
z = { p = 1, q = 2 }
[[arr]]
k = 1
[[arr]]
k = 2
[arr.sub]
m = 1
"""
    lines = key_lines(text)
    assert lines[("a",)] == 1
    assert lines[("b", "c")] == 2
    assert lines[("d e",)] == 3
    assert lines[("t", "x")] == 5
    assert ("t", "y") not in lines
    assert lines[("t", "z", "q")] == 9
    assert lines[("arr", 0, "k")] == 11
    assert lines[("arr", 1, "k")] == 13
    assert lines[("arr", 1, "sub", "m")] == 15


# ---------------------------------------------------------------------------------------------
# The reference in docs/config.md is checked against the code.

DOCS = Path(__file__).resolve().parent.parent / "docs"


def toml_blocks(path: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_config_reference_examples_load(tmp_path: Path) -> None:
    blocks = toml_blocks(DOCS / "config.md")
    assert len(blocks) >= 5
    complete = parse_config(blocks[0], base_dir=tmp_path)
    assert [s.key for s in complete.default_policy.steps] == ["relance_1", "appel", "mise_en_demeure"]
    assert complete.policy.segments["vip"].min_gap_days == 10
    assert complete.rates is not None
    for block in blocks[1:]:
        text = block + MINIMAL if block.lstrip().startswith("policy =") else MINIMAL + block
        parse_config(text, base_dir=tmp_path)


def test_config_reference_lists_every_key() -> None:
    from relancelib.config import reader as module

    text = (DOCS / "config.md").read_text(encoding="utf-8")
    for names in (
        module._TOP_KEYS, module._CREDITOR_KEYS, module._ADDRESS_KEYS, module._POLICY_KEYS,
        module._STEP_KEYS, module._SOURCE_KEYS, module._MRO_KEYS, module._LEGAL_KEYS,
    ):  # fmt: skip
        for name in names:
            assert f"`{name}`" in text, name


def test_values_nested_too_deeply_are_a_config_error_not_a_crash() -> None:
    from relancelib.config import parse_config

    with pytest.raises(
        ConfigError, match=r"^relance\.toml: not valid TOML: values nested too deeply$"
    ):
        parse_config("a = " + "[" * 5000 + "]" * 5000 + "\n")
