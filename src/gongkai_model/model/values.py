"""Value types of the model: the edition and money with its unit."""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation

import attrs

from ..errors import ModelError, Problem

__all__ = ["Amount", "Edition", "MoneyUnit"]


class Edition(str, enum.Enum):
    """The statutory edition of the report format.

    >>> Edition.for_year(2020)
    <Edition.FORMAT_2019: '2019'>
    >>> Edition.for_year(2024)
    <Edition.FORMAT_2021: '2021'>
    """

    #: 国办公开办函〔2019〕60号, the trial format: report years 2019 and 2020.
    FORMAT_2019 = "2019"
    #: 国办公开办函〔2021〕30号, the revised format: report years 2021 onwards.
    FORMAT_2021 = "2021"

    @classmethod
    def for_year(cls, year: int) -> Edition:
        """The edition in force for reports on ``year``."""
        if isinstance(year, bool) or not isinstance(year, int):
            raise ModelError("invalid year", [Problem("year", f"expected a whole number, got {year!r}")])
        if year < 2019:
            raise ModelError(
                "no edition for this year",
                [Problem("year", f"the statutory formats start with the 2019 report, got {year}")],
            )
        return cls.FORMAT_2019 if year <= 2020 else cls.FORMAT_2021

    @classmethod
    def resolve(cls, edition: Edition | str | None, year: int | None) -> Edition:
        """``edition`` when given (an :class:`Edition` or ``"2019"``/``"2021"``), else the one for ``year``.

        With neither (a report whose year is unknown), the edition in force now (2021).
        """
        if edition is None:
            return cls.FORMAT_2021 if year is None else cls.for_year(year)
        try:
            return cls(edition)
        except ValueError:
            raise ModelError(
                "unknown edition", [Problem("edition", f"expected '2019' or '2021', got {edition!r}")]
            ) from None


class MoneyUnit(str, enum.Enum):
    """The unit printed with a money amount."""

    YUAN = "元"
    WAN_YUAN = "万元"


_AMOUNT = re.compile(r"^\s*([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万元|元)?\s*$")


@attrs.frozen
class Amount:
    """A money amount together with the unit it was published in.

    The 2019 format fixes no unit for 采购总金额, so publishers print ``251000元``
    or ``160.5964万元``; the amount is kept exactly as printed, unit and all.
    ``unit`` is ``None`` when no unit was printed.

    >>> a = Amount.parse("160.5964万元")
    >>> a, str(a), a.in_yuan()
    (Amount(value=Decimal('160.5964'), unit=<MoneyUnit.WAN_YUAN: '万元'>), '160.5964万元', Decimal('1605964.0000'))
    """

    value: Decimal
    unit: MoneyUnit | None = None

    def __attrs_post_init__(self) -> None:
        problems = []
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            problems.append(Problem("value", f"expected a finite Decimal, got {self.value!r}"))
        elif self.value < 0:
            problems.append(Problem("value", f"must not be negative, got {self.value}"))
        if self.unit is not None and not isinstance(self.unit, MoneyUnit):
            problems.append(Problem("unit", f"expected a MoneyUnit or None, got {self.unit!r}"))
        if problems:
            raise ModelError("invalid Amount", problems)

    @classmethod
    def parse(cls, text: str) -> Amount:
        """Read an amount as printed: ``251000元``, ``160.5964万元``, ``1,200``."""
        m = _AMOUNT.match(text) if isinstance(text, str) else None
        if m is None:
            raise ModelError("not an amount", [Problem("", f"cannot read {text!r} as an amount")])
        try:
            value = Decimal(m.group(1).replace(",", "").replace("，", ""))
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
            raise ModelError("not an amount", [Problem("", f"cannot read {text!r}")]) from exc
        return cls(value, MoneyUnit(m.group(2)) if m.group(2) else None)

    def in_yuan(self) -> Decimal | None:
        """The amount in 元, or ``None`` when the unit is unknown."""
        if self.unit is MoneyUnit.YUAN:
            return self.value
        if self.unit is MoneyUnit.WAN_YUAN:
            return self.value * 10000
        return None

    def __str__(self) -> str:
        return f"{self.value}{self.unit.value if self.unit else ''}"
