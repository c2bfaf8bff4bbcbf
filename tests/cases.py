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


#: Labels the cases print that are not statutory, and what they are (a typo in the published table).
TYPOS = {"2.其他法律行政止公开": "2.其他法律行政法规禁止公开"}


def build(case: dict[str, Any]) -> Any:
    """The report that a case's figures describe (its typo'd labels read as the statutory ones)."""
    import gongkai_model as gk

    recs = case_records(case)
    for r in recs:
        r["row"] = TYPOS.get(r["row"], r["row"])
    return gk.from_records(recs, agency=case["agency"], year=case["year"], edition=case["format"])


def expected_cells(case: dict[str, Any]) -> dict[str, Any]:
    """Model path → the published figure, for every figure of the case that could be recovered."""
    import gongkai_model as gk

    report = build(case)
    index = {
        (r.table, gk.labels.normalize_label(r.row), gk.labels.normalize_label(r.column)): r.path
        for r in gk.to_records(report)
    }
    variant = {gk.labels.normalize_label("规范性文件"): gk.labels.normalize_label("行政规范性文件")}
    aliases = variant if case["format"] == "2021" else {}
    out = {}
    for table, row, column, v in case_cells(case):
        row_key = gk.labels.normalize_label(TYPOS.get(row, row))
        row_key = aliases.get(row_key, row_key) if table == "二" else row_key
        path = index[(table, row_key, gk.labels.normalize_label(column))]
        if v is not UNKNOWN:
            out[path] = v
    return out
