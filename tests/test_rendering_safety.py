"""What a user template cannot do: change what it renders, or make a PDF read a file or the
network (the immutable sandbox, read-only views, a data:-only URL fetcher)."""

from __future__ import annotations

import io
import socket
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from relancelib import Action, Plan, TemplateSecurityError, plan, render
from relancelib.policy import Channel
from relancelib.rendering.templates import read_only
from relancelib.sample import Sample, load_sample

pytest.importorskip("weasyprint")


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def day(sample: Sample) -> Plan:
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of)


def an_email(day: Plan) -> Action:
    return next(a for a in day.actions if a.channel is Channel.EMAIL)


def a_letter(day: Plan) -> Action:
    return next(a for a in day.actions if a.channel is Channel.LETTER)


MUTATIONS = [
    "{{ totals.update({'EUR': 1}) }}",
    "{{ action.totals.update({'EUR': 1}) }}",
    "{{ action.totals.clear() }}",
    "{{ action.totals.pop('EUR') }}",
    "{{ action.claimed.setdefault('USD', 1) }}",
    "{% set x = [1] %}{{ x.append(2) }}",
    "{{ items.append(1) }}",
    "{{ {'a': 1}.update({'b': 2}) }}",
    "{{ action.__class__ }}",
]


@pytest.mark.parametrize("body", MUTATIONS)
def test_a_template_cannot_change_what_it_renders(sample: Sample, day: Plan, body: str) -> None:
    action = an_email(day)
    before = (dict(action.totals), dict(action.claimed), action.items)
    templates = {
        action.step.key: "{% block subject %}x{% endblock %}{% block text %}"
        + body
        + "{% endblock %}"
    }
    with pytest.raises(TemplateSecurityError):
        render(action, sample.creditor, templates=templates)
    assert (dict(action.totals), dict(action.claimed), action.items) == before


def test_reading_the_context_still_works(sample: Sample, day: Plan) -> None:
    action = an_email(day)
    body = (
        "{% for cur, amount in action.totals|dictsort %}{{ cur }}={{ amount }};{% endfor %}"
        "{{ action.totals['EUR'] if 'EUR' in action.totals else '' }}|{{ items|length }}"
    )
    templates = {
        action.step.key: "{% block subject %}x{% endblock %}{% block text %}"
        + body
        + "{% endblock %}"
    }
    text = render(action, sample.creditor, templates=templates).text
    assert f"EUR={action.totals['EUR']};" in text


def test_read_only_views_go_all_the_way_down() -> None:
    value = read_only({"a": [1, {"b": {2}}], "c": ({"d": []},)})
    with pytest.raises(TypeError):
        value["a"] = 1
    assert value["a"] == (1, value["a"][1])
    assert isinstance(value["a"][1]["b"], frozenset)
    with pytest.raises(TypeError):
        value["c"][0]["d"] = 1  # type: ignore[index]
    assert read_only(Decimal("1.5")) == Decimal("1.5")


def _attachments(pdf: bytes) -> dict[str, bytes]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return {name: b"".join(data) for name, data in reader.attachments.items()}


def test_a_letter_fetches_no_file_and_no_url(sample: Sample, day: Plan, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the secret")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.setblocking(False)
        port = server.getsockname()[1]
        html = (
            "<p>Madame, Monsieur,</p>"
            f'<img src="file://{secret}">'
            f'<img src="{secret}">'
            f'<link rel="attachment" href="file://{secret}">'
            '<link rel="attachment" href="file:///etc/passwd">'
            f'<link rel="attachment" href="http://127.0.0.1:{port}/x.txt">'
            f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
            f'<img src="http://127.0.0.1:{port}/logo.png">'
        )
        action = a_letter(day)
        templates = {
            action.step.key: "{% block subject %}x{% endblock %}{% block html %}"
            + html
            + "{% endblock %}"
        }
        pdf = render(action, sample.creditor, templates=templates).to_pdf()
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert pdf.startswith(b"%PDF")
    assert _attachments(pdf) == {}
    assert b"the secret" not in pdf
    assert b"root:" not in pdf


def test_a_letter_keeps_what_data_urls_embed(sample: Sample, day: Plan) -> None:
    action = a_letter(day)
    html = '<p>x</p><link rel="attachment" title="note" href="data:text/plain;base64,aGVsbG8=">'
    templates = {
        action.step.key: "{% block subject %}x{% endblock %}{% block html %}"
        + html
        + "{% endblock %}"
    }
    attachments = _attachments(render(action, sample.creditor, templates=templates).to_pdf())
    assert list(attachments.values()) == [b"hello"]


def test_the_builtin_letter_still_lays_out(sample: Sample, day: Plan) -> None:
    pdf = render(a_letter(day), sample.creditor).to_pdf()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert sample.creditor.name.split()[0] in reader.pages[0].extract_text()
