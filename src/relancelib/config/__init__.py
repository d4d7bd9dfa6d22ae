"""The ``relance.toml`` configuration file of the ``relance`` command.

:func:`load_config` reads the file with :mod:`tomllib` and validates it entirely on load:
an unknown key, a wrong IBAN, a policy whose steps are out of order... each raises a
:class:`~relancelib.errors.ConfigError` whose message names the file, the line and the
key, e.g. ``relance.toml:14: policy.steps[3].offset_days: 5 is out of order: ...``.
(``tomllib`` gives no line numbers for the values it parses: the line of a key is found
in the raw text.)  Relative paths in the file are resolved against its folder.
:func:`load_portfolio` reads the clients and invoices its ``[sources]`` name.

The reference of every key is ``docs/config.md``; ``relance init`` writes a commented
example (:data:`EXAMPLE_CONFIG`).

Modules: ``model`` (:class:`Config`, :class:`Sources`), ``loading`` (:func:`load_config`,
:func:`parse_config`), ``reader`` (the typed reader, errors at file:line: key),
``positions`` (the line of each key), ``example`` (:data:`EXAMPLE_CONFIG`,
:func:`example_config`), ``portfolio`` (:func:`load_portfolio`).
"""

from __future__ import annotations

from relancelib.config.example import EXAMPLE_CONFIG, example_config
from relancelib.config.loading import load_config, parse_config
from relancelib.config.model import DEFAULT_JOURNAL as DEFAULT_JOURNAL
from relancelib.config.model import Config, Sources
from relancelib.config.portfolio import load_portfolio
from relancelib.config.reader import PRESETS as PRESETS
from relancelib.policy import SegmentPolicies

__all__ = [
    "EXAMPLE_CONFIG",
    "Config",
    "SegmentPolicies",
    "Sources",
    "example_config",
    "load_config",
    "load_portfolio",
    "parse_config",
]
