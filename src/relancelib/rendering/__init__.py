"""Rendering: turn an :class:`~relancelib.engine.Action` into a message or a letter.

:func:`render` chooses the Jinja2 template of the action's step (a user template first,
then the built-in French one, with per-segment variants such as ``relance_1.vip.j2``),
renders its ``subject``, ``text`` and ``html`` blocks in Jinja2's sandbox and returns a
frozen :class:`Message`.  A message knows how to become an e-mail
(:meth:`Message.to_email`), a PDF letter (:meth:`Message.to_pdf`, with the
``relancelib[pdf]`` extra) or a preview in Jupyter.

Templates run in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
:class:`~jinja2.StrictUndefined`: a missing variable is an error, never a blank in a
letter.  The same source is compiled twice — with HTML autoescaping for the ``html`` block,
without it for ``subject`` and ``text`` — so a client called ``<b>Dupont</b>`` is escaped
in HTML and written as is in plain text, and a subject never spans two header lines.

:func:`render_instalments` writes the proposal and the confirmation of an instalment plan
(*échéancier*) with the same machinery.

The variables and filters a template sees are listed in :data:`TEMPLATE_VARIABLES` and
:data:`TEMPLATE_FILTERS`.

One module per concept: ``message`` (the :class:`Message`), ``context`` (the template
variables), ``templates`` (the sandbox, the filters, finding templates), ``text`` (plain text
and HTML bodies), ``email`` (the e-mail, with the standard :mod:`email` API), ``letters``
(postal blocks and PDF), ``qr`` (the SEPA transfer QR code), ``render``, ``dossier`` (the
handover file's history) and ``instalments``.
"""

from relancelib.rendering.context import TEMPLATE_VARIABLES
from relancelib.rendering.email import paris_morning
from relancelib.rendering.instalments import INSTALMENT_TEMPLATES, render_instalments
from relancelib.rendering.message import Message
from relancelib.rendering.qr import PaymentQR, epc_qr_payload
from relancelib.rendering.render import render, render_plan
from relancelib.rendering.templates import TEMPLATE_FILTERS, TemplatesLike, builtin_templates

__all__ = [
    "INSTALMENT_TEMPLATES",
    "TEMPLATE_FILTERS",
    "TEMPLATE_VARIABLES",
    "Message",
    "PaymentQR",
    "TemplatesLike",
    "builtin_templates",
    "epc_qr_payload",
    "paris_morning",
    "render",
    "render_instalments",
    "render_plan",
]
