"""The filter panel's checkboxes and radios as markup, made in Python.

A results page offers 40 to 70 choices, each with its count. Made by a Jinja macro per
choice they cost about 1 ms of a page's CPU (each call evaluates a dozen expressions, each
escaped and joined); made here they cost a tenth of that. The markup is GOV.UK Frontend's
checkboxes and radios items, as ``templates/search/filters.html`` wrote them out before (and
the ``govukCheckboxes`` macro before that): a conditional reveal under a chosen need holds the
needs below it, with a hidden legend naming what they narrow down. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from markupsafe import Markup, escape


class Choice(Protocol):
    value: str
    label: str
    checked: bool

    @property
    def text(self) -> str: ...

    @property
    def children(self) -> list: ...


def filter_choices(kind: str, name: str, items: Iterable[Choice], prefix: str) -> Markup:
    """The items of one checkboxes or radios group: the first item's id is ``prefix``, the
    next ``prefix-2`` and so on (GOV.UK Frontend's ids), a nested item's ``<parent id>-<n>``."""
    out: list[str] = []
    for n, item in enumerate(items, 1):
        _choice(out, kind, str(escape(name)), item, prefix if n == 1 else f"{prefix}-{n}")
    return Markup("".join(out))


def _choice(out: list[str], kind: str, name: str, item: Choice, id_: str) -> None:
    box = "checkbox" if kind == "checkboxes" else "radio"
    ident = escape(id_)
    checked = " checked" if item.checked else ""
    controls = f' data-aria-controls="conditional-{ident}"' if item.children else ""
    out.append(
        f'<div class="govuk-{kind}__item">\n'
        f'<input class="govuk-{kind}__input" id="{ident}" name="{name}" type="{box}" '
        f'value="{escape(item.value)}"{checked}{controls}>\n'
        f'<label class="govuk-label govuk-{kind}__label" for="{ident}">{escape(item.text)}'
        "</label>\n</div>\n"
    )
    if not item.children:
        return
    hidden = "" if item.checked else " govuk-checkboxes__conditional--hidden"
    out.append(
        f'<div class="govuk-checkboxes__conditional{hidden}" id="conditional-{ident}">\n'
        '<div class="govuk-form-group">\n<fieldset class="govuk-fieldset">\n'
        '<legend class="govuk-fieldset__legend"><span class="govuk-visually-hidden">'
        f"Narrow down {escape(item.label)}</span></legend>\n"
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
    )
    for n, child in enumerate(item.children, 1):
        _choice(out, "checkboxes", name, child, f"{id_}-{n}")
    out.append("</div>\n</fieldset>\n</div>\n</div>\n")
