"""Turn a case JSON of tests/data/cases (its own documented shape) into records."""

from __future__ import annotations

from typing import Any

from gongkai_model import Amount

# The case JSON's own column orders (see tests/data/cases/README.md).
T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4_ROWS = ["行政复议", "未经复议直接起诉", "复议后起诉"]
T4_COLUMNS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

UNKNOWN = object()  #: a figure the case marks null: it could not be recovered


def value(v: Any) -> Any:
    if v is None:
        return UNKNOWN
    if v == "":
        return None
    if isinstance(v, str):
        return Amount.parse(v)
    return v


def case_cells(case: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(table, row, column, value) for every figure in the case, ``UNKNOWN`` where it is null."""
    out = []
    for row, cols in case["table2"].items():
        out.extend(("二", row, col, value(v)) for col, v in cols.items())
    for row, vals in case["table3"].items():
        out.extend(("三", row, col, value(v)) for col, v in zip(T3_COLUMNS, vals, strict=True))
    for i, v in enumerate(case["table4"]):
        out.append(("四", T4_ROWS[i // 5], T4_COLUMNS[i % 5], value(v)))
    return out


def case_records(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"table": t, "row": r, "column": c, "value": v} for t, r, c, v in case_cells(case) if v is not UNKNOWN]
