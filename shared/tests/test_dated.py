"""Dated versions: every broken file is refused naming file and field; the version in force by date;
the book of every version (`DatedBook`) that rules, card terms and tariffs share."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from amo_shared.dated import DatedBook, NotInForce, in_force, load_versions, ordered, read_version


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_age: int = Field(ge=0)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    effective_from: date
    sources: tuple[str, ...] = ()
    limits: Limits


class RulesFileError(ValueError):
    pass


def rules(version: str, day: str, max_age: object = 21) -> str:
    return f'version: "{version}"\neffective_from: {day}\nlimits:\n  max_age: {max_age}\n'


def load(folder, **options) -> list[Rules]:
    return load_versions(folder, Rules, error=RulesFileError, what="rule", **options)


def refused(folder, **options) -> str:
    with pytest.raises(RulesFileError) as caught:
        load(folder, **options)
    return str(caught.value)


def test_versions_load_oldest_first(tmp_path):
    (tmp_path / "2026-07-01.yaml").write_text(rules("b", "2026-07-01"), encoding="utf-8")
    (tmp_path / "2025-01-01.yaml").write_text(rules("a", "2025-01-01"), encoding="utf-8")
    (tmp_path / "README.md").write_text("not a version", encoding="utf-8")
    assert [r.version for r in load(tmp_path)] == ["a", "b"]
    assert [r.version for r in load(str(tmp_path))] == ["a", "b"]


def test_broken_yaml_names_the_file(tmp_path):
    (tmp_path / "2025-01-01.yaml").write_text("limits: [unclosed\n", encoding="utf-8")
    assert refused(tmp_path).startswith("2025-01-01.yaml: not valid YAML")


def test_an_impossible_date_is_reported_like_broken_yaml(tmp_path):
    # PyYAML raises a bare ValueError here, not a YAMLError.
    (tmp_path / "2025-01-01.yaml").write_text(rules("a", "2025-13-01"), encoding="utf-8")
    assert refused(tmp_path).startswith("2025-01-01.yaml: not valid YAML: month must be in 1..12")


def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "2025-01-01.yaml").write_text("- a list\n", encoding="utf-8")
    assert "2025-01-01.yaml: expected a mapping" in refused(tmp_path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            rules("a", "2025-01-01", max_age=-1),
            "limits.max_age: Input should be greater than or equal to 0",
        ),
        (
            rules("a", "2025-01-01", max_age="old"),
            "limits.max_age: Input should be a valid integer",
        ),
        (rules("a", "2025-01-01").replace("max_age", "max_agee"), "limits.max_agee: Extra inputs"),
        ('version: "a"\neffective_from: 2025-01-01\n', "limits: Field required"),
    ],
)
def test_a_wrong_field_is_named_by_its_dotted_path(tmp_path, text, problem):
    (tmp_path / "2025-01-01.yaml").write_text(text, encoding="utf-8")
    assert f"2025-01-01.yaml: {problem}" in refused(tmp_path)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    (tmp_path / "2025-01-01.yaml").write_text(
        rules("a", "2025-01-01", max_age=-1), encoding="utf-8"
    )
    (tmp_path / "2026-01-01.yaml").write_text("effective_from: 2026-01-01\n", encoding="utf-8")
    assert refused(tmp_path).splitlines() == [
        "2025-01-01.yaml: limits.max_age: Input should be greater than or equal to 0",
        "2026-01-01.yaml: version: Field required",
        "2026-01-01.yaml: limits: Field required",
    ]


def test_the_file_name_must_be_the_effective_date(tmp_path):
    (tmp_path / "2025-02-01.yaml").write_text(rules("a", "2025-01-01"), encoding="utf-8")
    assert (
        refused(tmp_path)
        == "2025-02-01.yaml: effective_from is 2025-01-01, so the file must be 2025-01-01.yaml"
    )
    assert [r.version for r in load(tmp_path, name_must_match=False)] == ["a"]


@pytest.mark.parametrize(
    ("second", "field"),
    [
        (rules("a", "2026-01-01"), "version: a"),
        (rules("b", "2025-01-01"), "effective_from: 2025-01-01"),
    ],
)
def test_two_versions_sharing_a_date_or_a_name_are_refused(tmp_path, second, field):
    (tmp_path / "2025-01-01_first.yaml").write_text(rules("a", "2025-01-01"), encoding="utf-8")
    (tmp_path / "2026-01-01_second.yaml").write_text(second, encoding="utf-8")
    assert f"two rule versions share the same {field}" in refused(tmp_path, name_must_match=False)


def test_an_empty_or_missing_folder_is_refused(tmp_path):
    assert "no rule file in" in refused(tmp_path)
    assert "no *.yaml" in refused(tmp_path / "missing")


def test_a_yaml_loader_can_be_chosen(tmp_path):
    class NoRulesLoader(yaml.SafeLoader):
        def construct_document(self, node):
            raise yaml.constructor.ConstructorError(
                None, None, "refused by the loader", node.start_mark
            )

    file = tmp_path / "2025-01-01.yaml"
    file.write_text(rules("a", "2025-01-01"), encoding="utf-8")
    assert read_version(file, Rules, error=RulesFileError).version == "a"
    with pytest.raises(RulesFileError, match="not valid YAML: refused by the loader"):
        read_version(file, Rules, error=RulesFileError, loader=NoRulesLoader)


BOOK = ordered(
    [
        Rules(version="b", effective_from=date(2026, 7, 1), limits=Limits(max_age=26)),
        Rules(version="a", effective_from=date(2025, 1, 1), limits=Limits(max_age=21)),
    ],
    "rule",
)


@pytest.mark.parametrize(
    ("day", "version"),
    [
        (date(2025, 1, 1), "a"),
        (date(2026, 6, 30), "a"),
        (date(2026, 7, 1), "b"),
        (date(2040, 1, 1), "b"),
    ],
)
def test_the_version_in_force_is_the_latest_started(day, version):
    assert in_force(BOOK, day, "rules").version == version


def test_before_the_first_version_nothing_is_in_force():
    with pytest.raises(
        NotInForce, match="no rules in force on 2024-12-31: the first version starts 2025-01-01"
    ):
        in_force(BOOK, date(2024, 12, 31), "rules")

    class NoTariff(LookupError):
        pass

    with pytest.raises(NoTariff):
        in_force(BOOK, date(2024, 12, 31), "tariff", error=NoTariff)
    with pytest.raises(LookupError, match="no version"):
        in_force((), date(2025, 1, 1), "rules")


def test_an_empty_book_is_refused():
    with pytest.raises(ValueError, match="no rule version at all"):
        ordered([], "rule")


class NoRulesInForce(LookupError):
    pass


def test_a_book_holds_every_version_oldest_first_and_the_one_in_force():
    book = DatedBook(reversed(BOOK), "rule", not_in_force=NoRulesInForce)
    assert book.history == BOOK and list(book) == list(BOOK) and len(book) == 2
    assert book.versions == ["a", "b"]
    assert book.in_force(date(2026, 6, 30)).version == "a"
    assert book.in_force(date(2026, 7, 1)).limits.max_age == 26
    with pytest.raises(NoRulesInForce, match="no rule in force on 2024-12-31"):
        book.in_force(date(2024, 12, 31))


def test_a_book_refuses_two_versions_of_one_date_or_name_and_an_empty_history():
    a = BOOK[0]
    with pytest.raises(ValueError, match="two card terms versions share the same effective_from"):
        DatedBook([a, a.model_copy(update={"version": "a2"})], "card terms")
    with pytest.raises(ValueError, match="share the same version: a"):
        DatedBook([a, a.model_copy(update={"effective_from": date(2030, 1, 1)})], "card terms")
    with pytest.raises(ValueError, match="no tariff version at all"):
        DatedBook([], "tariff")


def test_a_book_with_other_versions_keeps_its_kind():
    book = DatedBook(BOOK, "tariff", not_in_force=NoRulesInForce)
    trimmed = book.with_versions(book.history[:1])
    assert trimmed.versions == ["a"] and trimmed.in_force(date(2040, 1, 1)).version == "a"
    with pytest.raises(NoRulesInForce, match="no tariff in force"):
        trimmed.in_force(date(2000, 1, 1))
    assert book.versions == ["a", "b"]  # the original is untouched


def test_a_book_loads_from_files_with_the_loader_errors(tmp_path):
    (tmp_path / "2025-01-01.yaml").write_text(
        rules("a", "2025-01-01") + 'sources: ["Décret 2-05-733"]\n', encoding="utf-8"
    )
    book = DatedBook.load(
        tmp_path, Rules, what="rule", error=RulesFileError, not_in_force=NoRulesInForce
    )
    assert book.in_force(date(2025, 1, 1)).sources == ("Décret 2-05-733",)
    with pytest.raises(NoRulesInForce):
        book.in_force(date(2024, 1, 1))
    (tmp_path / "2026-01-01.yaml").write_text(
        rules("b", "2026-01-01", max_age=-1), encoding="utf-8"
    )
    with pytest.raises(RulesFileError, match=r"2026-01-01\.yaml: limits\.max_age"):
        DatedBook.load(tmp_path, Rules, what="rule", error=RulesFileError)
