"""The public text rules: properties over generated text, and the cases people actually type."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from amo_shared.limits import NAME_MAX, TEXT_MAX
from amo_shared.text import (
    BIDI_CONTROLS,
    FORMULA_STARTS,
    BirthDate,
    FreeText,
    Note,
    PersonName,
)


class Form(BaseModel):
    name: PersonName | None = None
    text: FreeText | None = None
    note: Note | None = None
    born: BirthDate | None = None


def rule_of(**fields) -> str | None:
    """The error type of the one field given, None when it is accepted."""
    try:
        Form(**fields)
    except ValidationError as exc:
        (error,) = exc.errors()
        assert error["loc"] == (next(iter(fields)),)
        return error["type"]
    return None


letters = st.characters(categories=["L"])
name_parts = st.characters(categories=["L", "M"]) | st.sampled_from(list(" '\u2019-."))


@pytest.mark.parametrize(
    "name",
    ["Amina", "Aït-Lahcen", "O'Brien", "Jean-Pierre M. Dupont", "محمد بن عبد الله", "ⵜⴰⵎⴰⵣⵉⵖⵜ"],
)
def test_names_of_any_script_are_accepted(name):
    assert rule_of(name=name) is None


@given(letters, st.text(name_parts, max_size=NAME_MAX - 1))
def test_a_letter_then_name_characters_is_a_name(first, rest):
    name = (first + rest).strip()
    assert rule_of(name=name) is None


@given(st.text(min_size=1, max_size=NAME_MAX).filter(lambda s: any(c.isdigit() for c in s)))
def test_digits_are_never_a_name(name):
    assert rule_of(name=name) is not None


@pytest.mark.parametrize(
    "name,rule",
    [
        ("=HYPERLINK(1)", "name.start"),
        ("Amina1", "name.characters"),
        ("Ami<na>", "name.characters"),
        ("Ami\x00na", "text.control"),
        ("Ami\u202ena", "text.bidi"),
        ("", "string_too_short"),
        ("A" * (NAME_MAX + 1), "string_too_long"),
    ],
)
def test_what_is_not_a_name_names_the_rule(name, rule):
    assert rule_of(name=name) == rule


@given(st.text(max_size=40), st.sampled_from(sorted(BIDI_CONTROLS)), st.text(max_size=40))
def test_no_bidi_control_passes_anywhere(before, control, after):
    value = "x" + before + control + after
    for field in ("name", "text", "note"):
        assert rule_of(**{field: value}) is not None


@given(
    st.text(max_size=40),
    st.characters(categories=["Cc"]),
    st.text(max_size=40),
)
def test_no_control_character_passes_inside_a_text(before, control, after):
    assert rule_of(text="x" + before + control + after + "x") is not None


@given(st.sampled_from(sorted(FORMULA_STARTS - {"\t", "\r"})), st.text(max_size=50))
def test_free_text_never_starts_like_a_formula(start, rest):
    assert rule_of(text=start + rest) is not None
    assert rule_of(note=start + rest) is not None


@given(
    st.text(
        st.characters(categories=["L", "N", "P", "Zs", "S"], exclude_characters="\u00a0"),
        min_size=1,
        max_size=TEXT_MAX,
    )
)
def test_free_text_that_passes_holds_every_rule(value):
    if rule_of(text=value) is None:
        kept = Form(text=value).text
        assert kept is not None and 1 <= len(kept) <= TEXT_MAX
        assert kept[0] not in FORMULA_STARTS
        assert not (set(kept) & BIDI_CONTROLS)


def test_a_note_may_be_empty_but_not_long():
    assert rule_of(note="") is None
    assert rule_of(note="x" * 501) == "string_too_long"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
def test_birth_dates_from_1900_to_today_pass(day):
    assert rule_of(born=day) is None


@given(st.dates(max_value=date(1899, 12, 31)))
def test_birth_dates_before_1900_are_refused(day):
    assert rule_of(born=day) == "date.too_early"


@given(st.dates(min_value=date.today() + timedelta(days=1)))
def test_birth_dates_in_the_future_are_refused(day):
    assert rule_of(born=day) == "date.future"
