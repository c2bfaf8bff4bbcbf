"""The three statutory tables (表二, 表三, 表四) of both editions.

Each field carries its exact statutory label as metadata (see
:mod:`gongkai_model.model.spec`).  Labels used by both editions are module
constants, so that every label is written once.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ..errors import Problem
from .spec import Node, Row, Value, column, field_specs, row
from .values import Amount

__all__ = [
    "ApplicantCounts",
    "Applications",
    "DecisionRow2021",
    "Denied",
    "DocumentRow2019",
    "DocumentRow2021",
    "FeeItemRow2019",
    "FeeRow2021",
    "ItemRow2019",
    "NotProcessed",
    "OtherHandling",
    "OutcomeCounts",
    "ProactiveDisclosure2019",
    "ProactiveDisclosure2021",
    "ProcurementRow2019",
    "Results",
    "ReviewAndLitigation",
    "Unable",
]

# Labels shared by both editions or by several fields (each written once here).
TOTAL = "总计"
INFO_CONTENT = "信息内容"
ITEM_1 = "第二十条第（一）项"
ITEM_5 = "第二十条第（五）项"
ITEM_6 = "第二十条第（六）项"
ITEM_8 = "第二十条第（八）项"
REGULATIONS = "规章"
NORMATIVE_DOCUMENTS_2019 = "规范性文件"
LICENSING = "行政许可"
PENALTY = "行政处罚"
COERCION = "行政强制"
ADMIN_FEES = "行政事业性收费"
OTHER_HANDLING = "（六）其他处理"
LEGAL_PERSON = "法人或其他组织"
LITIGATION = "行政诉讼"


# ---------------------------------------------------------------------------
# 表二 主动公开政府信息情况, 2021 format (10 cells)


@attrs.frozen(kw_only=True)
class DocumentRow2021(Row):
    """表二 (2021), 第二十条第（一）项: one row of documents."""

    #: Across years, approximately: ``in_force`` = last year's ``in_force`` + ``issued`` - ``repealed``.
    STOCK: ClassVar[tuple[str, str, str]] = ("in_force", "issued", "repealed")

    issued: int | None = column("本年制发件数")
    repealed: int | None = column("本年废止件数")
    in_force: int | None = column("现行有效件数")


@attrs.frozen(kw_only=True)
class DecisionRow2021(Row):
    """表二 (2021), 第二十条第（五）（六）项: decisions made this year."""

    decisions: int | None = column("本年处理决定数量")


@attrs.frozen(kw_only=True)
class FeeRow2021(Row):
    """表二 (2021), 第二十条第（八）项: fees collected this year, in 万元."""

    amount: Decimal | None = column("本年收费金额（单位：万元）", value=Value.MONEY, unit="万元")


@attrs.frozen(kw_only=True)
class ProactiveDisclosure2021(Node):
    """表二 主动公开政府信息情况, 2021 format (国办公开办函〔2021〕30号)."""

    CORNER: ClassVar[str] = INFO_CONTENT

    regulations: DocumentRow2021 = row(REGULATIONS, DocumentRow2021, banner=ITEM_1)
    normative_documents: DocumentRow2021 = row(
        "行政规范性文件", DocumentRow2021, banner=ITEM_1, aliases=(NORMATIVE_DOCUMENTS_2019,)
    )
    licensing: DecisionRow2021 = row(LICENSING, DecisionRow2021, banner=ITEM_5)
    penalty: DecisionRow2021 = row(PENALTY, DecisionRow2021, banner=ITEM_6)
    coercion: DecisionRow2021 = row(COERCION, DecisionRow2021, banner=ITEM_6)
    admin_fees: FeeRow2021 = row(ADMIN_FEES, FeeRow2021, banner=ITEM_8)

    # ---------------------------------------------------------------------------
    # 表二 主动公开政府信息情况, 2019 trial format (22 cells)

    def _repr_html_(self) -> str:
        """The table as a notebook shows it, in its statutory layout (:func:`gongkai_model.notebook.table_html`)."""
        from .._views import html

        return html(self)


@attrs.frozen(kw_only=True)
class DocumentRow2019(Row):
    """表二 (2019), 第二十条第（一）项: one row of documents."""

    made: int | None = column("本年新制作数量")
    published: int | None = column("本年新公开数量")
    total_public: int | None = column("对外公开总数量")


@attrs.frozen(kw_only=True)
class FeeItemRow2019(Row):
    """表二 (2019), 第二十条第（八）项: fee items and their net change."""

    previous_items: int | None = column("上一年项目数量")
    change: int | None = column("本年增/减", value=Value.SIGNED)


@attrs.frozen(kw_only=True)
class ItemRow2019(FeeItemRow2019):
    """表二 (2019), 第二十条第（五）（六）项: items, their net change, and decisions."""

    decisions: int | None = column("处理决定数量")


@attrs.frozen(kw_only=True)
class ProcurementRow2019(Row):
    """表二 (2019), 第二十条第（九）项: centralised government procurement."""

    projects: int | None = column("采购项目数量")
    amount: Amount | None = column("采购总金额", value=Value.AMOUNT)


@attrs.frozen(kw_only=True)
class ProactiveDisclosure2019(Node):
    """表二 主动公开政府信息情况, 2019 trial format (国办公开办函〔2019〕60号)."""

    CORNER: ClassVar[str] = INFO_CONTENT

    regulations: DocumentRow2019 = row(REGULATIONS, DocumentRow2019, banner=ITEM_1)
    normative_documents: DocumentRow2019 = row(NORMATIVE_DOCUMENTS_2019, DocumentRow2019, banner=ITEM_1)
    licensing: ItemRow2019 = row(LICENSING, ItemRow2019, banner=ITEM_5)
    other_services: ItemRow2019 = row("其他对外管理服务事项", ItemRow2019, banner=ITEM_5)
    penalty: ItemRow2019 = row(PENALTY, ItemRow2019, banner=ITEM_6)
    coercion: ItemRow2019 = row(COERCION, ItemRow2019, banner=ITEM_6)
    admin_fees: FeeItemRow2019 = row(ADMIN_FEES, FeeItemRow2019, banner=ITEM_8)
    procurement: ProcurementRow2019 = row("政府集中采购", ProcurementRow2019, banner="第二十条第（九）项")

    # ---------------------------------------------------------------------------
    # 表三 收到和处理政府信息公开申请情况 (both editions)

    def _repr_html_(self) -> str:
        """The table as a notebook shows it, in its statutory layout (:func:`gongkai_model.notebook.table_html`)."""
        from .._views import html

        return html(self)


@attrs.frozen(kw_only=True)
class ApplicantCounts(Row):
    """One row of 表三: counts by applicant type.

    ``legal_person_subtotal`` is the 法人或其他组织 小计 column that some
    publishers add; it is only used when :attr:`Applications.subtotal_column`
    is set.
    """

    HEADER: ClassVar[str] = "申请人情况"

    natural_person: int | None = column("自然人")
    commercial: int | None = column("商业企业", header=LEGAL_PERSON)
    research: int | None = column("科研机构", header=LEGAL_PERSON)
    public_interest: int | None = column("社会公益组织", header=LEGAL_PERSON)
    legal_services: int | None = column("法律服务机构", header=LEGAL_PERSON)
    other: int | None = column("其他", header=LEGAL_PERSON)
    legal_person_subtotal: int | None = column("小计", header=LEGAL_PERSON, total="header")
    total: int | None = column(TOTAL, total="siblings")


@attrs.frozen(kw_only=True)
class Denied(Node):
    """表三 （三）不予公开: the eight grounds for refusal."""

    state_secret: ApplicantCounts = row("1.属于国家秘密", ApplicantCounts)
    prohibited_by_law: ApplicantCounts = row("2.其他法律行政法规禁止公开", ApplicantCounts)
    three_securities_one_stability: ApplicantCounts = row("3.危及“三安全一稳定”", ApplicantCounts)
    third_party_rights: ApplicantCounts = row("4.保护第三方合法权益", ApplicantCounts)
    internal_affairs: ApplicantCounts = row("5.属于三类内部事务信息", ApplicantCounts)
    process_information: ApplicantCounts = row("6.属于四类过程性信息", ApplicantCounts)
    enforcement_file: ApplicantCounts = row("7.属于行政执法案卷", ApplicantCounts)
    administrative_query: ApplicantCounts = row("8.属于行政查询事项", ApplicantCounts)


@attrs.frozen(kw_only=True)
class Unable(Node):
    """表三 （四）无法提供."""

    not_held: ApplicantCounts = row("1.本机关不掌握相关政府信息", ApplicantCounts)
    needs_creation: ApplicantCounts = row("2.没有现成信息需要另行制作", ApplicantCounts)
    unclear_after_correction: ApplicantCounts = row("3.补正后申请内容仍不明确", ApplicantCounts)


@attrs.frozen(kw_only=True)
class NotProcessed(Node):
    """表三 （五）不予处理."""

    petition_complaint: ApplicantCounts = row("1.信访举报投诉类申请", ApplicantCounts)
    repeated: ApplicantCounts = row("2.重复申请", ApplicantCounts)
    publication: ApplicantCounts = row("3.要求提供公开出版物", ApplicantCounts)
    mass_repetitive: ApplicantCounts = row("4.无正当理由大量反复申请", ApplicantCounts)
    confirm_or_reissue: ApplicantCounts = row("5.要求行政机关确认或重新出具已获取信息", ApplicantCounts)


@attrs.frozen(kw_only=True)
class OtherHandling(Node):
    """表三 （六）其他处理 as three rows (2021 format)."""

    no_correction: ApplicantCounts = row(
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ApplicantCounts
    )
    fee_unpaid: ApplicantCounts = row(
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ApplicantCounts
    )
    other: ApplicantCounts = row("3.其他", ApplicantCounts)


@attrs.frozen(kw_only=True)
class Results(Node):
    """表三 三、本年度办理结果.

    ``other`` is :class:`OtherHandling` (three rows, the 2021 format) or a
    single :class:`ApplicantCounts` row (the 2019 format, and 2021 reports that
    still print it as one row).  ``total`` is （七）总计.
    """

    granted: ApplicantCounts = row("（一）予以公开", ApplicantCounts)
    partially_granted: ApplicantCounts = row(
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ApplicantCounts
    )
    denied: Denied = row("（三）不予公开", Denied)
    unable: Unable = row("（四）无法提供", Unable)
    not_processed: NotProcessed = row("（五）不予处理", NotProcessed)
    other: OtherHandling | ApplicantCounts = row(OTHER_HANDLING, OtherHandling)
    total: ApplicantCounts = row("（七）总计", ApplicantCounts, total="siblings")


@attrs.frozen(kw_only=True)
class Applications(Node):
    """表三 收到和处理政府信息公开申请情况.

    ``subtotal_column`` says whether the table has the extra 法人或其他组织 小计
    column (an 8-column variant some publishers print); when it is off, every
    ``legal_person_subtotal`` must be blank.
    """

    #: The identity printed in the table's top-left cell (勾稽关系).
    CORNER: ClassVar[str] = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    #: The identity in :attr:`CORNER`, as paths: 第一项 + 第二项 = 第三项 + 第四项.
    BALANCE: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (
        ("new_received", "carried_over"),
        ("results.total", "carried_forward"),
    )
    #: Across years: this year's ``carried_over`` is last year's ``carried_forward``.
    CARRY: ClassVar[tuple[str, str]] = ("carried_over", "carried_forward")

    new_received: ApplicantCounts = row("一、本年新收政府信息公开申请数量", ApplicantCounts)
    carried_over: ApplicantCounts = row("二、上年结转政府信息公开申请数量", ApplicantCounts)
    results: Results = row("三、本年度办理结果", Results)
    carried_forward: ApplicantCounts = row(
        "四、结转下年度继续办理", ApplicantCounts, aliases=("四、结转下一年度继续办理",)
    )
    subtotal_column: bool = attrs.field(default=False)

    def _extra_problems(self) -> list[Problem]:
        if not isinstance(self.subtotal_column, bool):
            return [Problem("subtotal_column", f"expected True or False, got {self.subtotal_column!r}")]
        if self.subtotal_column:
            return []
        paths, get = _subtotals(self.results)
        if not any(v is not None for v in get(self)):
            return []
        return [
            Problem(
                f"{path}.legal_person_subtotal", "is filled, but the table has no 小计 column (subtotal_column=False)"
            )
            for path, v in zip(paths, get(self), strict=True)
            if v is not None
        ]

    def _repr_html_(self) -> str:
        """The table as a notebook shows it, in its statutory layout (:func:`gongkai_model.notebook.table_html`)."""
        from .._views import html

        return html(self)


_SUBTOTALS: dict[type, tuple[list[str], Any]] = {}


def _subtotals(results: Results) -> tuple[list[str], Any]:
    """The path of every 表三 row (it depends on the class of （六）) and one getter of all their 小计 cells."""
    key = type(results.other)
    if key not in _SUBTOTALS:
        paths = ["new_received", "carried_over", *_row_paths(results, "results."), "carried_forward"]
        _SUBTOTALS[key] = (paths, operator.attrgetter(*(f"{p}.legal_person_subtotal" for p in paths)))
    return _SUBTOTALS[key]


def _row_paths(node: Node, prefix: str) -> list[str]:
    out: list[str] = []
    for info in field_specs(type(node)):
        value = getattr(node, info.name)
        if isinstance(value, ApplicantCounts):
            out.append(f"{prefix}{info.name}")
        elif isinstance(value, Node):
            out.extend(_row_paths(value, f"{prefix}{info.name}."))
    return out


# ---------------------------------------------------------------------------
# 表四 政府信息公开行政复议、行政诉讼情况 (both editions, 15 cells)


@attrs.frozen(kw_only=True)
class OutcomeCounts(Row):
    """One block of 表四: outcomes of reconsideration or litigation."""

    upheld: int | None = column("结果维持")
    corrected: int | None = column("结果纠正")
    other: int | None = column("其他结果")
    pending: int | None = column("尚未审结")
    total: int | None = column(TOTAL, total="siblings")


@attrs.frozen(kw_only=True)
class ReviewAndLitigation(Node):
    """表四 政府信息公开行政复议、行政诉讼情况: three blocks laid side by side."""

    reconsideration: OutcomeCounts = row("行政复议", OutcomeCounts)
    litigation_direct: OutcomeCounts = row("未经复议直接起诉", OutcomeCounts, banner=LITIGATION)
    litigation_after_review: OutcomeCounts = row("复议后起诉", OutcomeCounts, banner=LITIGATION)

    def _repr_html_(self) -> str:
        """The table as a notebook shows it, in its statutory layout (:func:`gongkai_model.notebook.table_html`)."""
        from .._views import html

        return html(self)
