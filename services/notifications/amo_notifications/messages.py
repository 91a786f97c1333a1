"""A notice put into words: French or Arabic templates (Jinja2), dates in the member's locale
(Babel); an email with a text and an HTML part (`lang`/`dir` set), and an SMS text.

The templates see only the notice's fields, the member's first names and the labels file: no
CNIE, RIB or bank hint reaches them, so none can be printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from amo_notifications.domain import Item, Notice

TEMPLATES = Path(__file__).with_name("templates")
LOCALES = {"fr": "fr_MA", "ar": "ar_MA"}
DIRECTIONS = {"fr": "ltr", "ar": "rtl"}


@dataclass(frozen=True)
class Recipient:
    """Where one application's notices go, and how its people are called (rank 0: member)."""

    email: str
    phone: str
    language: str
    first_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str
    html: str
    sms: str
    language: str


class Composer:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=False,
        )
        self.labels: dict[str, dict[str, dict[str, str]]] = yaml.safe_load(
            (templates / "labels.yaml").read_text(encoding="utf-8")
        )

    @cached_property
    def layout(self) -> Any:
        return self.env.get_template("layout.html.j2")

    def compose(self, notice: Notice, recipient: Recipient) -> Wording:
        lang = recipient.language if recipient.language in LOCALES else "fr"
        template = self.env.get_template(f"{lang}/{notice.kind.value}.j2")
        context = template.new_context(self._facts(notice, recipient, lang))
        subject, body, sms = (
            _squeeze("".join(template.blocks[name](context))) for name in ("subject", "body", "sms")
        )
        html = self.layout.render(
            lang=lang, dir=DIRECTIONS[lang], subject=subject, blocks=_blocks(body)
        )
        return Wording(subject=subject, text=body + "\n", html=html, sms=sms, language=lang)

    def _facts(self, notice: Notice, recipient: Recipient, lang: str) -> dict[str, Any]:
        locale = LOCALES[lang]
        names = recipient.first_names

        def day(d: date | None) -> str | None:
            return format_date(d, format="long", locale=locale) if d else None

        def person(rank: int | None) -> str | None:
            if rank is None or rank == 0:
                return None
            if notice.beneficiary_first_name and rank == notice.beneficiary_rank:
                return notice.beneficiary_first_name
            return names[rank] if rank < len(names) else _dependant(lang, rank)

        def document(item: Item) -> str:
            label = self._label("documents", item.kind or "", lang)
            who = person(item.dependant + 1) if item.dependant is not None else None
            return f"{label} ({who})" if who else label

        items = [
            {
                "kind": i.kind,
                "dependant": i.dependant,
                "code": i.code,
                "wording": (i.wording_ar if lang == "ar" else i.wording_fr)
                or i.wording_fr
                or i.code
                or "",
                "source": i,
            }
            for i in notice.items
        ]
        return {
            "first_name": notice.first_name or (names[0] if names else ""),
            "ref": notice.application_id,
            "told_on": day(notice.told_at.date() if notice.told_at else None),
            "items": items,
            "document": lambda item: document(item["source"]),
            "member_number": notice.member_number,
            "valid_from": day(notice.valid_from),
            "valid_until": day(notice.valid_until),
            "payer": notice.payer,
            "change": self._label("changes", notice.change_name, lang)
            if notice.change_name
            else None,
            "beneficiary": person(notice.beneficiary_rank),
            "effective_on": day(notice.effective_on),
            "due_on": day(notice.due_on),
            "what": self._label("documents", notice.what, lang) if notice.what else None,
        }

    def _label(self, table: str, key: str, lang: str) -> str:
        return self.labels[table].get(key, {}).get(lang, key)


def _dependant(lang: str, rank: int) -> str:
    return f"الشخص المكفول رقم {rank}" if lang == "ar" else f"personne à charge n° {rank}"


def _squeeze(text: str) -> str:
    """Template whitespace off the ends, and no run of blank lines inside."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


def _blocks(text: str) -> list[dict[str, Any]]:
    """Paragraphs and lists ("- " lines) of a text part, for the HTML part."""
    blocks: list[dict[str, Any]] = []
    for para in text.split("\n\n"):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if lines and all(ln.startswith("- ") for ln in lines):
            blocks.append({"lines": [ln[2:] for ln in lines], "para": None})
        elif lines:
            blocks.append({"lines": None, "para": " ".join(lines)})
    return blocks
