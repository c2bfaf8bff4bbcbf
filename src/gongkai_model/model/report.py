"""The whole report: metadata and the six sections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from .._views import cell_values
from ..errors import ModelError, Problem
from .spec import Node, Value, meta, prose, section
from .tables import (
    OTHER_HANDLING,
    ApplicantCounts,
    Applications,
    OtherHandling,
    ProactiveDisclosure2019,
    ProactiveDisclosure2021,
    Results,
    ReviewAndLitigation,
)
from .values import Edition

__all__ = ["AnnualReport", "OtherMatters", "Overview"]

#: How :attr:`AnnualReport.title` prints an agency or a year the document did not name.
UNKNOWN_AGENCY = "（机关不详）"
UNKNOWN_YEAR = "（年度不详）"

#: Chinese numerals of the six sections, in order; section numbers derive from field order.
NUMERALS = "一二三四五六"


@attrs.frozen(kw_only=True)
class Overview(Node):
    """一、总体情况: free text, with the five customary sub-topics when the report uses them."""

    text: str | None = prose("总体情况正文")
    proactive: str | None = prose("主动公开")
    on_request: str | None = prose("依申请公开")
    information_management: str | None = prose("政府信息管理")
    platforms: str | None = prose("政府信息公开平台建设")
    supervision: str | None = prose("监督保障")


@attrs.frozen(kw_only=True)
class OtherMatters(Node):
    """六、其他需要报告的事项: free text, with the 信息处理费 figures when reported (in 元)."""

    text: str | None = prose("其他需要报告的事项正文")
    info_processing_fee_notices: int | None = prose("发出收费通知件数", value=Value.COUNT)
    info_processing_fee_amount_yuan: Decimal | None = prose("收费通知金额", value=Value.MONEY, unit="元")
    info_processing_fee_collected_yuan: Decimal | None = prose("实际收取信息处理费", value=Value.MONEY, unit="元")


@attrs.frozen(kw_only=True)
class AnnualReport(Node):
    """政府信息公开工作年度报告: one agency's report for one year.

    The edition is not stored: it follows from the 表二 class
    (:class:`ProactiveDisclosure2019` or :class:`ProactiveDisclosure2021`).
    Use :meth:`blank` to start a report of the right shape.

    >>> r = AnnualReport.blank(agency="北京市西城区信访办公室", year=2023)
    >>> r.edition, r.table3.new_received.total
    (<Edition.FORMAT_2021: '2021'>, None)
    """

    #: The name of the document.
    TITLE: ClassVar[str] = "政府信息公开工作年度报告"

    #: ``None`` when the document does not say (a page with no title): the report is read, a warning says so.
    agency: str | None = meta("机关名称", required=True)
    #: ``None`` when the document does not say; the edition then follows from the tables' shape.
    year: int | None = meta("报告年度", value=Value.YEAR, required=True)
    region: str | None = meta("行政区划")
    level: str | None = meta("机关层级")
    published: dt.date | None = meta("公开日期", value=Value.DATE)
    source_url: str | None = meta("来源网址")
    period_start: dt.date | None = meta("统计期限起", value=Value.DATE)
    period_end: dt.date | None = meta("统计期限止", value=Value.DATE)

    overview: Overview = section("总体情况", Overview)
    table2: ProactiveDisclosure2021 | ProactiveDisclosure2019 = section("主动公开政府信息情况", ProactiveDisclosure2021)
    table3: Applications = section("收到和处理政府信息公开申请情况", Applications)
    table4: ReviewAndLitigation = section(
        "政府信息公开行政复议、行政诉讼情况",
        ReviewAndLitigation,
        aliases=("因政府信息公开工作被申请行政复议、提起行政诉讼情况",),
    )
    problems: str | None = section(
        "存在的主要问题及改进情况",
        aliases=("政府信息公开工作存在的主要问题及改进情况", "存在问题及改进情况", "存在的主要问题及整改措施"),
    )
    other_matters: OtherMatters = section("其他需要报告的事项", OtherMatters)

    def __repr__(self) -> str:
        """Short: who, which year, which edition, and how many of the table cells are filled."""
        got = cell_values(self)  # model.layout's getter (layout imports this module, so it registers)
        filled = sum(v is not None for v in got)
        return (
            f"AnnualReport(agency={self.agency!r}, year={self.year!r}, edition={self.edition.value!r}, "
            f"cells={len(got)}, filled={filled})"
        )

    @property
    def title(self) -> str:
        """The report's title as published: ``北京市西城区信访办公室2023年政府信息公开工作年度报告``."""
        agency = self.agency if self.agency is not None else UNKNOWN_AGENCY
        year = f"{self.year}年" if self.year is not None else UNKNOWN_YEAR
        return f"{agency}{year}{self.TITLE}"

    @property
    def edition(self) -> Edition:
        """The statutory edition, as given by the 表二 class."""
        if isinstance(self.table2, ProactiveDisclosure2019):
            return Edition.FORMAT_2019
        return Edition.FORMAT_2021

    @property
    def single_other_row(self) -> bool:
        """Whether 表三 prints （六）其他处理 as one row (2019 format, or the hybrid 2021 form)."""
        return isinstance(self.table3.results.other, ApplicantCounts)

    def _extra_problems(self) -> list[Problem]:
        if (
            isinstance(self.table2, ProactiveDisclosure2019)
            and isinstance(self.table3, Applications)
            and isinstance(self.table3.results.other, OtherHandling)
        ):
            return [
                Problem(
                    "table3.results.other",
                    "the 2019 format has one （六）其他处理 row, not three",
                    OTHER_HANDLING,
                )
            ]
        return []

    @classmethod
    def blank(
        cls,
        *,
        agency: str,
        year: int,
        edition: Edition | str | None = None,
        single_other_row: bool | None = None,
        subtotal_column: bool = False,
        **metadata: Any,
    ) -> AnnualReport:
        """A report of the right shape with every cell blank (``None``).

        ``edition`` defaults to the one in force for ``year``;
        ``single_other_row`` defaults to the edition's own form of
        （六）其他处理 (one row in 2019, three in 2021; ``True`` gives the hybrid
        2021 form); ``subtotal_column`` adds 表三's 法人或其他组织 小计 column.
        """
        ed = Edition.resolve(edition, year)
        if single_other_row is None:
            single_other_row = ed is Edition.FORMAT_2019
        if ed is Edition.FORMAT_2019 and not single_other_row:
            raise ModelError(
                "invalid shape", [Problem("single_other_row", "the 2019 format has one （六）其他处理 row")]
            )
        other: OtherHandling | ApplicantCounts = ApplicantCounts() if single_other_row else OtherHandling()
        table2 = ProactiveDisclosure2019() if ed is Edition.FORMAT_2019 else ProactiveDisclosure2021()
        table3 = Applications(results=Results(other=other), subtotal_column=subtotal_column)
        return cls(agency=agency, year=year, table2=table2, table3=table3, **metadata)

    def _repr_html_(self) -> str:
        """The report as a notebook shows it (:func:`gongkai_model.notebook.report_html`)."""
        from .._views import html

        return html(self)
