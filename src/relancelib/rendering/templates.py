"""The templates: Jinja2's sandbox, the filters, and where templates are found.

Templates run in a :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` with
:class:`~jinja2.StrictUndefined`: a missing variable is an error, never a blank in a letter,
and a template cannot change what it renders (``{{ totals.update(...) }}``, ``list.append``
… are refused, and the context's mappings and lists are handed over as read-only views).
Each set of templates has two environments over the same sources — with HTML autoescaping
for the ``html`` block, without it for ``subject`` and ``text``.  User templates (a mapping
of sources or a folder of ``<key>.j2`` files) come before the built-in French ones of
``relancelib/templates``, which they can import and extend.  Any Jinja2 failure becomes a
:class:`~relancelib.errors.RelanceError` naming the template and the line.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import traceback
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

import jinja2
from jinja2 import StrictUndefined, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment
from markupsafe import Markup

from relancelib import formatting, law
from relancelib.checks import has_control_characters
from relancelib.engine import Action, ActionItem
from relancelib.errors import (
    InvalidFieldError,
    RelanceError,
    TemplateNotFoundError,
    TemplateRenderError,
    TemplateSecurityError,
)
from relancelib.events import Instalment, InstalmentPlan, PromiseToPay
from relancelib.journal import Record
from relancelib.model import Address, Client, Creditor, Invoice, Payment
from relancelib.policy import Channel, Step
from relancelib.rendering.qr import PaymentQR

__all__ = [
    "SUFFIX",
    "TEMPLATE_FILTERS",
    "TemplateSet",
    "TemplatesLike",
    "builtin_names",
    "builtin_set",
    "builtin_templates",
    "compile_template",
    "find_template",
    "read_only",
    "read_only_context",
    "render_block",
    "user_set",
]

TemplatesLike: TypeAlias = "Mapping[str, str] | str | os.PathLike[str] | None"
"""What ``render(templates=...)`` accepts: a mapping of step keys to Jinja2 sources, a folder
of ``<key>.j2`` files, or ``None`` for the built-in templates only."""

#: The filters every template can use; they write in the message's locale.
TEMPLATE_FILTERS: Mapping[str, str] = {
    "amount": "{{ item.balance|amount(item.currency) }} → 1 234,56 €",
    "date": "{{ letter_date|date }} → 1er février 2025; date('full') → samedi 1er février 2025",
    "words": "{{ total|words('EUR') }} → mille deux cent trente-quatre euros et ...",
    "percent": "{{ period.rate|percent }} → 13,15 %",
    "days": "{{ item.days_overdue|days }} → 15 jours",
    "format_amount, format_date, amount_in_words, format_percent, format_days": (
        "the same filters under the names of relancelib.formatting's functions"
    ),
}

#: The file name suffix of a template.
SUFFIX = ".j2"
_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]+$")


# ---------------------------------------------------------------------------------------------
# Filters.


def _defined(value: Any) -> Any:
    """``value``, or the UndefinedError naming the missing variable a filter was given."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises "'total' is undefined"
        raise jinja2.UndefinedError("a filter was given an undefined value")
    return value


@pass_context
def _f_amount(ctx: Context, value: Decimal | int, currency: str = "EUR") -> str:
    return formatting.format_amount(_defined(value), currency, locale=ctx["locale"])


@pass_context
def _f_date(ctx: Context, value: dt.date, style: formatting.DateStyle = "long") -> str:
    return formatting.format_date(_defined(value), style=style, locale=ctx["locale"])


@pass_context
def _f_words(ctx: Context, value: Decimal | int, currency: str = "EUR") -> str:
    return formatting.amount_in_words(_defined(value), currency, locale=ctx["locale"])


@pass_context
def _f_percent(ctx: Context, value: Decimal | int) -> str:
    return formatting.format_percent(_defined(value), locale=ctx["locale"])


@pass_context
def _f_days(ctx: Context, value: int) -> str:
    return formatting.format_days(_defined(value), locale=ctx["locale"])


_FILTERS: Mapping[str, Callable[..., str]] = {
    "amount": _f_amount,
    "date": _f_date,
    "words": _f_words,
    "percent": _f_percent,
    "days": _f_days,
    # The same filters under the names of the formatting functions they call.
    "format_amount": _f_amount,
    "format_date": _f_date,
    "amount_in_words": _f_words,
    "format_percent": _f_percent,
    "format_days": _f_days,
}


# ---------------------------------------------------------------------------------------------
# The sandbox.


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with a fast path for the public attributes of known safe types.

    The frozen attrs records a template sees hold data and pure methods only (so do dates,
    decimals, imported template modules and loop objects): reading one of their public
    attributes needs none of the generic checks, which cost a third of the render time.
    Everything else — private and dunder names included — goes through the sandbox.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) in _RECORD_TYPES and attribute[:1] != "_":
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        if attribute in _MUTATORS.get(type(obj), ()):
            # A read-only view lacks the method: say why rather than "undefined".
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)


# The methods that change a dict, a list or a set: refused on their read-only views too.
_MUTATORS: dict[type, frozenset[str]] = {
    MappingProxyType: frozenset({"clear", "pop", "popitem", "setdefault", "update"}),
    tuple: frozenset({"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"}),
    frozenset: frozenset(
        {"add", "clear", "difference_update", "discard", "intersection_update", "pop", "remove"}
        | {"symmetric_difference_update", "update"}
    ),
}


_RECORD_TYPES: frozenset[type] = frozenset(
    (
        Action,
        ActionItem,
        Address,
        Client,
        Creditor,
        Invoice,
        Payment,
        Step,
        Channel,
        Record,
        PromiseToPay,
        Instalment,
        InstalmentPlan,
        law.Penalties,
        law.Period,
        PaymentQR,
        dt.date,
        Decimal,
        jinja2.environment.TemplateModule,  # {% import ... as m %}: m.macro
        jinja2.runtime.LoopContext,  # loop.index, loop.last...
    )
)


def _environment(
    loader: jinja2.BaseLoader, *, html: bool, auto_reload: bool
) -> SandboxedEnvironment:
    env = _Sandbox(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=auto_reload,
        cache_size=1000,
    )
    env.filters.update(_FILTERS)
    return env


# ---------------------------------------------------------------------------------------------
# Template sets: user templates, then the built-in ones.


class _MappingLoader(jinja2.BaseLoader):
    """Templates given as a mapping of names to sources (names end with ``.j2``)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = dict(sources)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            source = self.sources[template]
        except KeyError:
            raise jinja2.TemplateNotFound(template) from None
        return source, f"<templates[{template[: -len(SUFFIX)]!r}]>", lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


class TemplateSet:
    """The text and HTML environments over one set of templates, and which names exist."""

    def __init__(
        self, loader: jinja2.BaseLoader, has: Callable[[str], bool], *, auto_reload: bool
    ) -> None:
        self.text = _environment(loader, html=False, auto_reload=auto_reload)
        self.html = _environment(loader, html=True, auto_reload=auto_reload)
        self.has = has


@functools.cache
def _builtin_loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("relancelib", "templates")


@functools.cache
def builtin_names() -> frozenset[str]:
    """The file names of the built-in templates (``relance_1.j2``, ``_macros.j2``...)."""
    return frozenset(_builtin_loader().list_templates())


@functools.cache
def builtin_set() -> TemplateSet:
    """The built-in French templates."""
    return TemplateSet(_builtin_loader(), builtin_names().__contains__, auto_reload=False)


def builtin_templates() -> tuple[str, ...]:
    """The names of the built-in templates (step keys and variants, without ``.j2``)."""
    return tuple(sorted(n[: -len(SUFFIX)] for n in builtin_names() if not n.startswith("_")))


@functools.lru_cache(maxsize=64)
def _mapping_set(items: tuple[tuple[str, str], ...]) -> TemplateSet:
    sources = dict(items)
    loader = jinja2.ChoiceLoader([_MappingLoader(sources), _builtin_loader()])
    return TemplateSet(loader, sources.__contains__, auto_reload=False)


@functools.lru_cache(maxsize=64)
def _folder_set(folder: str) -> TemplateSet:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(folder), _builtin_loader()])

    def has(name: str) -> bool:
        return os.path.isfile(os.path.join(folder, name))

    return TemplateSet(loader, has, auto_reload=True)


def user_set(templates: object) -> TemplateSet | None:
    """The template set of ``render(templates=...)`` (``None``: the built-in ones only)."""
    if templates is None:
        return None
    if isinstance(templates, (str, os.PathLike)):
        folder = Path(templates)
        if not folder.is_dir():
            raise TemplateNotFoundError(
                "is not a folder of <key>.j2 templates", field="templates", value=str(templates)
            )
        return _folder_set(str(folder.resolve()))
    if isinstance(templates, Mapping):
        items: list[tuple[str, str]] = []
        for key, source in templates.items():
            if not isinstance(key, str) or not key or has_control_characters(key):
                raise InvalidFieldError("keys must be template names", field="templates", value=key)
            if not isinstance(source, str):
                raise InvalidFieldError(
                    f"the template {key!r} must be a string of Jinja2 source",
                    field="templates",
                    value=source,
                )
            name = key if key.endswith(SUFFIX) else key + SUFFIX
            items.append((name, source))
        return _mapping_set(tuple(sorted(items)))
    raise InvalidFieldError(
        "must be a mapping of step keys to Jinja2 sources, or a folder of <key>.j2 files",
        field="templates",
        value=templates,
    )


def find_template(
    name: str, segment: str, user: TemplateSet | None
) -> tuple[TemplateSet, str, bool]:
    """The template set, the template name and whether it is built in, for a step's template.

    User templates come first (the segment variant, then the plain name), then the built-in
    ones in the same order.
    """
    candidates = [name]
    if _SEGMENT.match(segment):
        variants = dict.fromkeys((f"{name}.{segment}", f"{name}.{segment.lower()}"))
        candidates = [*variants, name]
    sets: list[tuple[TemplateSet, bool]] = [] if user is None else [(user, False)]
    sets.append((builtin_set(), True))
    for template_set, builtin in sets:
        for candidate in candidates:
            if template_set.has(candidate + SUFFIX):
                return template_set, candidate, builtin
    raise TemplateNotFoundError(
        f"no template {name!r} (looked for {', '.join(c + SUFFIX for c in candidates)} "
        "in the user templates and the built-in ones)",
        field="template",
        value=name,
    )


# ---------------------------------------------------------------------------------------------
# Compiling and rendering; a template error names the template and the line.


def compile_template(env: SandboxedEnvironment, file_name: str) -> jinja2.Template:
    """The compiled template (cached by the environment), or a relancelib error."""
    try:
        return env.get_template(file_name)
    except Exception as exc:
        raise _template_error(exc, env, file_name) from exc


def render_block(
    env: SandboxedEnvironment,
    template: jinja2.Template,
    block: str | None,
    context: dict[str, Any],
    *,
    viewed: bool = False,
) -> str | None:
    """Render one block of ``template`` (the whole template for ``block=None``).

    ``None`` when the template has no such block.  The context is handed over through
    :func:`read_only` (``viewed=True``: the caller did it once for several blocks).  Any
    failure inside the template, from an undefined variable to a filter refusing its
    argument, becomes a TemplateRenderError naming the template and the line.
    """
    if not viewed:
        context = read_only_context(context)
    try:
        if block is None:
            return template.render(context)
        render = template.blocks.get(block)
        if render is None:
            return None
        return "".join(render(template.new_context(context)))  # new_context copies
    except Exception as exc:
        raise _template_error(exc, env, template.name or "<template>") from exc


def read_only_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The template variables as a template may see them (:func:`read_only` each)."""
    return {name: read_only(value) for name, value in context.items()}


# What read_only hands over as it is: immutable values and the frozen records (whose own
# mappings the immutable sandbox refuses to change).
_PLAIN: frozenset[type] = _RECORD_TYPES | frozenset(
    (str, int, float, bool, type(None), dt.datetime, MappingProxyType, frozenset, Markup)
)


def read_only(value: Any) -> Any:
    """``value`` as a template may see it: mappings as read-only views, lists and sets as
    tuples and frozensets, all the way down (records are frozen already)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple:
        if all(type(v) in _PLAIN for v in value):
            return value
        return tuple(read_only(v) for v in value)
    if isinstance(value, Mapping) and not isinstance(value, MappingProxyType):
        return MappingProxyType({k: read_only(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(read_only(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


_TEMPLATE_FRAMES = ("top-level template code", "template")


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template and line where ``exc`` happened, from Jinja's rewritten traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return _template_label(exc.filename or exc.name or fallback), exc.lineno
    where: tuple[str, int | None] = (fallback, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.name in _TEMPLATE_FRAMES or frame.name.startswith("block "):
            where = (_template_label(frame.filename), frame.lineno)
    return where


def _template_label(filename: str) -> str:
    match = re.fullmatch(r"<templates\['(.+)'\]>", filename)
    if match:
        return match.group(1) + SUFFIX
    return os.path.basename(filename)


def _template_error(exc: BaseException, env: jinja2.Environment, name: str) -> RelanceError:
    """Translate an exception raised by Jinja while compiling or rendering ``name``."""
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateNotFoundError(
            f"template {name!r} includes or imports {exc.name!r}, which does not exist",
            field="template",
            value=name,
        )
    if not isinstance(exc, jinja2.TemplateSyntaxError):
        try:
            env.handle_exception()  # re-raises ``exc`` with template lines in its traceback
        except BaseException as rewritten:  # the rewritten ``exc`` itself
            exc = rewritten
    template, line = _template_location(exc, name)
    where = f"template {template!r}" + (f", line {line}" if line is not None else "")
    if template != name:
        where += f" (rendering {name!r})"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, SecurityError):
        return TemplateSecurityError(f"{where}: unsafe operation refused by the sandbox: {detail}")
    return TemplateRenderError(f"{where}: {type(exc).__name__}: {detail}")
