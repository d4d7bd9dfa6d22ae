"""Reading ``relance.toml``: :func:`load_config` (a file) and :func:`parse_config` (text)."""

from __future__ import annotations

import os
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import attrs

from relancelib.checks import check_single_line
from relancelib.config.model import Config
from relancelib.config.reader import Reader
from relancelib.errors import ConfigError

__all__ = ["load_config", "parse_config"]


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the config file at ``path``; :class:`ConfigError` names what is wrong."""
    if (
        not isinstance(path, (str, os.PathLike))
        or not os.fspath(path)
        or "\x00" in str(os.fspath(path))
    ):
        raise ConfigError("must be a file path", field="path", value=path)
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such file (run 'relance init {file}' to write an example)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: the file is not UTF-8 text") from None
    config = parse_config(text, source=str(file), base_dir=file.parent)
    return attrs.evolve(config, path=file)


def parse_config(
    text: str, *, source: str = "relance.toml", base_dir: str | os.PathLike[str] | None = None
) -> Config:
    """Validate the TOML ``text`` of a config file; ``source`` names it in errors and relative
    paths are resolved against ``base_dir`` (default: the current folder, unresolved)."""
    check_single_line(source, "source", what="a name for the file in errors")
    if not isinstance(text, str):
        raise ConfigError(f"{source}: the configuration must be text, not {type(text).__name__}")
    if base_dir is not None and (
        not isinstance(base_dir, (str, os.PathLike))
        or not isinstance(os.fspath(base_dir), str)
        or "\x00" in os.fspath(base_dir)
    ):
        raise ConfigError("must be a folder path", field="base_dir", value=base_dir)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{source}:{found.group(1)}" if found else source
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a hostile or broken
        # file nesting them thousands deep exhausts Python's stack.
        raise ConfigError(f"{source}: not valid TOML: values nested too deeply") from None
    reader = Reader(text, source, Path(base_dir) if base_dir is not None else None)
    return reader.config(data)
