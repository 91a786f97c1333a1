"""Money in whole centimes and rates in percent, so no float ever touches a dirham."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from functools import total_ordering
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

_CENT = Decimal("0.01")


def _exact(value: Any) -> Any:
    # A float has already lost the exact figure (0.1 + 0.2): refuse it rather than guess.
    if isinstance(value, float | bool):
        raise ValueError("give amounts and rates as strings or integers, never as floats")
    return value


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """A non-negative amount in centimes; files and JSON spell it in dirhams ("150", "62.30")."""

    centimes: int

    def __post_init__(self) -> None:
        if isinstance(self.centimes, bool) or not isinstance(self.centimes, int):
            raise TypeError("Money holds an integer number of centimes")
        if self.centimes < 0:
            raise ValueError("an amount of money is never negative")

    @classmethod
    def dh(cls, amount: str | int | Decimal) -> Money:
        _exact(amount)
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            raise ValueError(f"not an amount in dirhams: {amount!r}") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"not a non-negative amount in dirhams: {amount!r}")
        if value != value.quantize(_CENT):
            raise ValueError(f"at most two decimals (centimes): {amount!r}")
        return cls(int(value * 100))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        return Money(self.centimes + other.centimes)

    def __sub__(self, other: Money) -> Money:
        return Money(self.centimes - other.centimes)

    def __lt__(self, other: Money) -> bool:
        return self.centimes < other.centimes

    def times(self, quantity: int) -> Money:
        return Money(self.centimes * quantity)

    def scaled(self, factor: Decimal) -> Money:
        """Rounded down to the centime: the fund never pays a fraction it does not owe."""
        return Money(int((self.centimes * factor).to_integral_value(rounding=ROUND_FLOOR)))

    def at_rate(self, percent: Decimal) -> Money:
        return self.scaled(percent / 100)

    def in_dh(self) -> str:
        return f"{self.centimes // 100}.{self.centimes % 100:02d}"

    def __str__(self) -> str:
        whole = f"{self.centimes // 100:,}".replace(",", "\u202f")
        return f"{whole},{self.centimes % 100:02d} DH"

    @classmethod
    def _coerce(cls, value: Any) -> Money:
        return value if isinstance(value, Money) else cls.dh(value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda m: m.in_dh()),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: Any, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "description": "dirhams"}


Percent = Annotated[Decimal, BeforeValidator(_exact), Field(ge=0, le=100)]
"""A rate such as 80 (%), exact."""

ExactDecimal = Annotated[Decimal, BeforeValidator(_exact), Field(gt=0)]
"""A positive coefficient (lab or imaging key-letter points), exact."""
