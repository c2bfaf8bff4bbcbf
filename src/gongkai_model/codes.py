"""The one catalogue of codes: every reading problem, batch cause and check finding the library gives.

Data only. Each :class:`Code` has its area (``"read"``, ``"batch"``, ``"check"``, ``"jurisdiction"``), its
severity (``None`` when it varies, then ``severity_note`` says how), a one-line text in English and in Chinese,
and the modules that produce it. The codes tables of ``docs/importing.md``, ``docs/batch.md``,
``docs/jurisdictions.md`` and ``docs/checks.md`` are generated from it (:func:`table`;
``python -m gongkai_model.codes`` prints them), and ``tests/test_codes.py`` fails when the docs, the source or
the registered checks differ from it.

A code is stable: compare it, never the message. The constants (``READ_LIMIT`` …) are the codes' own
strings, for call sites that want a name rather than a literal.

>>> from gongkai_model import codes
>>> c = codes.CATALOGUE["READ_VALUE_REFUSED"]
>>> c.severity, c.area, c.en
(<Severity.ERROR: 'error'>, 'read', "the printed text is not one figure of the cell's kind; the cell is blank")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import attrs

from .errors import Severity

__all__ = ["AREAS", "CATALOGUE", "Area", "Code", "table"]

#: Where a code belongs: reading a document, running a batch, checking a report, or checking a jurisdiction.
Area = Literal["read", "batch", "check", "jurisdiction"]
#: The areas, in the order of the catalogue.
AREAS: tuple[Area, ...] = ("read", "batch", "check", "jurisdiction")

_E, _I, _N, _W = Severity.ERROR, Severity.INCONSISTENCY, Severity.INFO, Severity.WARNING


@attrs.frozen
class Code:
    """One stable code: what it means, how bad it is, and where it is produced."""

    code: str
    area: Area
    #: The severity it is given, or ``None`` when it varies (``severity_note`` then says how).
    severity: Severity | None
    en: str  #: what it means, in English (one line; the docs tables print it)
    zh: str  #: what it means, in Chinese (one line)
    where: tuple[str, ...]  #: the modules that produce it (dotted, under ``gongkai_model``)
    #: How the severity varies, or an exception to it, e.g. ``"warning for a stream recovered"``.
    severity_note: str = ""
    #: Checks: how many it assesses per report (the last column of the checks table).
    count: str = ""

    @property
    def severity_text(self) -> str:
        """The severity as the docs tables print it: ``error (warning for a stream recovered)``."""
        head = "varies" if self.severity is None else self.severity.value
        return f"{head} ({self.severity_note})" if self.severity_note else head


# Reading problems (READ_…): docs/importing.md "Problem codes".
READ_TABLE_MISSING: Final = "READ_TABLE_MISSING"
READ_ROW_MISSING: Final = "READ_ROW_MISSING"
READ_COLUMN_MISSING: Final = "READ_COLUMN_MISSING"
READ_UNALIGNED: Final = "READ_UNALIGNED"
READ_CELL_SHARED: Final = "READ_CELL_SHARED"
READ_VALUE_REFUSED: Final = "READ_VALUE_REFUSED"
READ_LABEL_REFUSED: Final = "READ_LABEL_REFUSED"
READ_LABEL_AMBIGUOUS: Final = "READ_LABEL_AMBIGUOUS"
READ_TITLE_MISSING: Final = "READ_TITLE_MISSING"
READ_INVALID: Final = "READ_INVALID"
READ_LIMIT: Final = "READ_LIMIT"
READ_REFUSED: Final = "READ_REFUSED"
READ_DAMAGED: Final = "READ_DAMAGED"
READ_CONFLICT: Final = "READ_CONFLICT"
READ_HIDDEN: Final = "READ_HIDDEN"
READ_TABLE_MISPLACED: Final = "READ_TABLE_MISPLACED"
READ_REPEATED: Final = "READ_REPEATED"
READ_NOT_A_REPORT: Final = "READ_NOT_A_REPORT"
READ_PAGE: Final = "READ_PAGE"
READ_PAGE_NO_TEXT: Final = "READ_PAGE_NO_TEXT"
READ_OCR_UNAVAILABLE: Final = "READ_OCR_UNAVAILABLE"
READ_OCR_UNVERIFIED: Final = "READ_OCR_UNVERIFIED"
READ_OCR_VERIFIED: Final = "READ_OCR_VERIFIED"
READ_PAGE_OCR: Final = "READ_PAGE_OCR"
READ_IMAGE_SKIPPED: Final = "READ_IMAGE_SKIPPED"
READ_FAILED: Final = "READ_FAILED"
READ_JSON: Final = "READ_JSON"
READ_XLSX: Final = "READ_XLSX"
READ_EDITION_MIXED: Final = "READ_EDITION_MIXED"
READ_ALIGNED_BY_ORDER: Final = "READ_ALIGNED_BY_ORDER"
READ_LABEL_CORRECTED: Final = "READ_LABEL_CORRECTED"
READ_HEADING_VARIANT: Final = "READ_HEADING_VARIANT"
READ_VALUE_CONVERTED: Final = "READ_VALUE_CONVERTED"
READ_LABEL_VARIANT: Final = "READ_LABEL_VARIANT"
READ_NOTE: Final = "READ_NOTE"
READ_CELLS_MISCOUNTED: Final = "READ_CELLS_MISCOUNTED"
READ_RUN_TOGETHER: Final = "READ_RUN_TOGETHER"
READ_SPLIT: Final = "READ_SPLIT"
READ_ENCODING: Final = "READ_ENCODING"
READ_CONTROL_CHARS: Final = "READ_CONTROL_CHARS"
READ_TITLE_FROM_HEAD: Final = "READ_TITLE_FROM_HEAD"
READ_FORMULA: Final = "READ_FORMULA"
READ_NUMBER_AS_TEXT: Final = "READ_NUMBER_AS_TEXT"
READ_META: Final = "READ_META"
READ_BY_ORDER: Final = "READ_BY_ORDER"
READ_FOOTER_DROPPED: Final = "READ_FOOTER_DROPPED"
READ_LIFTED: Final = "READ_LIFTED"
READ_LIFTED_UNPLACED: Final = "READ_LIFTED_UNPLACED"
READ_META_MISSING: Final = "READ_META_MISSING"
READ_META_CONFLICT: Final = "READ_META_CONFLICT"

# Batch causes (BATCH_…): docs/batch.md.
BATCH_TIMEOUT: Final = "BATCH_TIMEOUT"
BATCH_MEMORY: Final = "BATCH_MEMORY"
BATCH_CRASHED: Final = "BATCH_CRASHED"
BATCH_SKIPPED: Final = "BATCH_SKIPPED"

_LOCATE = ("formats._locate",)
_ASSEMBLE = ("formats._assemble",)
_ORDER = ("formats._order",)
_READERS = ("formats.html", "formats.markdown", "formats.text", "formats.docx", "formats.pdf")

_READ = (
    Code(
        READ_TABLE_MISSING,
        "read",
        _E,
        "a table was not found; its cells are blank",
        "未找到表格，其单元格留空",
        _LOCATE,
    ),
    Code(
        READ_ROW_MISSING,
        "read",
        _E,
        "a row was not found; its cells are blank",
        "未找到某一行，其单元格留空",
        _LOCATE,
    ),
    Code(
        READ_COLUMN_MISSING,
        "read",
        _E,
        "a column's header was not found above a row; the cell is blank",
        "某行上方未找到列标题，该单元格留空",
        _LOCATE,
    ),
    Code(
        READ_UNALIGNED,
        "read",
        _E,
        "a value cannot be aligned with its header; the cell is blank",
        "数值无法与其列标题对齐，该单元格留空",
        ("formats._locate", "formats.markdown", "formats.text"),
    ),
    Code(
        READ_CELL_SHARED,
        "read",
        _E,
        "one printed cell would hold two figures; read for the first only",
        "一个印刷单元格对应两个数值，只读入第一个",
        _LOCATE,
    ),
    Code(
        READ_VALUE_REFUSED,
        "read",
        _E,
        "the printed text is not one figure of the cell's kind; the cell is blank",
        "印刷文字不是该单元格类型的一个数值，该单元格留空",
        ("formats._assemble", "formats.xlsx._read"),
    ),
    Code(
        READ_LABEL_REFUSED,
        "read",
        _E,
        "(strict) a misprinted label was not read",
        "（严格模式）标签有误，未读入",
        _LOCATE,
    ),
    Code(
        READ_LABEL_AMBIGUOUS,
        "read",
        _E,
        "several printed labels are as close to a statutory one; none was read",
        "多个印刷标签与同一规定标签同样接近，均未读入",
        _LOCATE,
    ),
    Code(
        READ_TITLE_MISSING,
        "read",
        _E,
        "no figure was read and no source names the agency or year: no report; pass them",
        "未读入任何数值，且无来源写明机关或年度：没有报告，请另行提供",
        ("formats._assemble", "formats.xlsx._read"),
    ),
    Code(
        READ_INVALID,
        "read",
        _E,
        "the figures read do not make a valid report",
        "读入的数值不能构成有效的报告",
        ("formats._assemble", "formats.xlsx._read"),
    ),
    Code(
        READ_LIMIT,
        "read",
        _E,
        "the input is larger than a bound of `Limits` allows (the message names which, with its value; a "
        "`MemoryError` or `RecursionError` is reported here too, named); only its first part was read",
        "输入超出 `Limits` 的某项上限（消息写明上限及其值；内存不足或递归过深亦在此报告），只读入前一部分",
        (
            "_zipsafe",
            "formats._dispatch",
            "formats._document",
            "formats._locate",
            "formats._mhtml",
            "formats._pdfbounds",
            *_READERS,
            "formats.xlsx._read",
            "formats.xlsx._sheetxml",
        ),
        "warning where only prose past `max_chars` was left out",
    ),
    Code(
        READ_REFUSED,
        "read",
        _E,
        "refused for safety: an XML part with entity declarations or not in UTF-8, a bzip2 or lzma zip member, a "
        "conversion that could not be sealed from the network, a kind of Office file that is not read (legacy "
        "`.xls`, encrypted, RTF)",
        "出于安全拒绝读取：含实体声明或非 UTF-8 的 XML、bzip2 或 lzma 压缩成员、"
        "无法隔离网络的转换、不读取的 Office 文件类型",
        ("_zipsafe", "formats._dispatch", "formats.docx"),
    ),
    Code(
        READ_DAMAGED,
        "read",
        _E,
        "the container or file is damaged (a checksum, a cut stream, an encrypted member, an unreadable OLE directory)",
        "容器或文件已损坏（校验和错误、数据流截断、成员加密、OLE 目录无法读取）",
        (
            "_zipsafe",
            "formats._dispatch",
            "formats._mhtml",
            "formats._pdfbounds",
            "formats.docx",
            "formats.pdf",
            "formats.xlsx._sheetxml",
        ),
        "warning for a stream recovered",
    ),
    Code(
        READ_CONFLICT,
        "read",
        _E,
        "a statutory row is printed in two places with different figures: both places and figures named, the "
        "differing cells blank",
        "同一规定行在两处印刷且数值不同：写明两处及其数值，不同的单元格留空",
        _LOCATE,
    ),
    Code(
        READ_HIDDEN,
        "read",
        _W,
        "HTML: content a browser would not show (`display:none`, `visibility:hidden`, `hidden`, `<style>` rules, "
        "`<template>`, `<noscript>`, comments) held a table, statutory labels or a heading; it was left out",
        "HTML：浏览器不显示的内容中有表格、规定标签或标题，未读入",
        ("formats.html",),
        "info for the count of other hidden elements",
    ),
    Code(
        READ_TABLE_MISPLACED,
        "read",
        _W,
        "a table with a statutory table's row labels is printed inside another section's prose: its figures are "
        "not read, its text is kept in that section",
        "带有规定表格行标签的表格印在另一部分的正文中：不读入其数值，文字保留在该部分",
        _ASSEMBLE,
    ),
    Code(
        READ_REPEATED,
        "read",
        _N,
        "rows of a statutory table printed again with the same figures were read once",
        "规定表格的行以相同数值重复印刷，只读入一次",
        _LOCATE,
    ),
    Code(
        READ_NOT_A_REPORT,
        "read",
        _E,
        "the document is empty or not of its format",
        "文件为空或不是其所称格式",
        (
            "_zipsafe",
            "formats._dispatch",
            "formats._mhtml",
            *(r for r in _READERS if r != "formats.markdown"),  # Markdown's empty document is text's (parse_lines)
            "formats.xlsx._sheetxml",
        ),
    ),
    Code(
        READ_PAGE,
        "read",
        _E,
        "PDF: a page that cannot be parsed; the other pages are read",
        "PDF：某页无法解析，其他页照常读取",
        ("formats.pdf",),
    ),
    Code(
        READ_PAGE_NO_TEXT,
        "read",
        _W,
        "PDF: one page without text in a PDF with text (a scanned page, or a content stream that would not decode)",
        "PDF：有文字的文件中某页没有文字（扫描页，或内容流无法解码）",
        ("formats.pdf",),
    ),
    Code(
        READ_OCR_UNAVAILABLE,
        "read",
        _E,
        "a picture (a scanned page, a table pasted as an image) needs the OCR engine of the [ocr] extra",
        "图片（扫描页、以图片形式发布的表格）需要 [ocr] 扩展的 OCR 引擎，但未安装",
        ("formats._ocr", "formats._pictures", "formats.pdf"),
        "warning where the document's other pages or tables were read from text",
    ),
    Code(
        READ_PAGE_OCR,
        "read",
        _N,
        "PDF: a page without a usable text layer (none, only a header or footer, not text, or an invisible layer "
        "over a scan) was read from its picture by OCR; the message says why and the resolution",
        "PDF：某页没有可用的文字层（无文字、仅有页眉页脚、乱码或扫描件上的隐藏文字层），"
        "已渲染为图片并经 OCR 读取；消息写明原因及分辨率",
        ("formats.pdf",),
    ),
    Code(
        READ_IMAGE_SKIPPED,
        "read",
        _W,
        "HTML: pictures of the page were not read (on the network, outside the page's folder, not a regular file, "
        "too large, or the page not read from a file); said once per reason, with how many and the first",
        "HTML：页面中的图片未读取（位于网络、页面所在文件夹之外、非普通文件、过大，或页面并非从文件读取）；"
        "每种原因报告一次，写明数量及第一张",
        ("formats._pictures",),
    ),
    Code(
        READ_OCR_UNVERIFIED,
        "read",
        None,
        "a figure read by OCR that nothing vouches for: an identity of its cell breaks or cannot be told, or it is "
        "in no identity and the engine was unsure; the cell, its box, confidence and alternatives are named",
        "OCR 识别的数字未经核实：其所在勾稽关系不成立或无法核对，或不在任何勾稽关系中且识别置信度不足；"
        "列出单元格、位置、置信度及备选读法",
        ("formats._verify",),
        severity_note="error; a warning when the caller accepts unverified figures: `accept_unverified=True`",
    ),
    Code(
        READ_OCR_VERIFIED,
        "read",
        _N,
        "every figure of a table read by OCR is verified: each identity it takes part in holds",
        "以 OCR 识别的表格中每个数字均经勾稽关系核实",
        ("formats._verify",),
    ),
    Code(
        READ_FAILED,
        "read",
        _E,
        "the file could not be read at all (with `check` and in a batch)",
        "文件完全无法读取（`check` 及批量检查时）",
        ("batch._result", "formats._dispatch", "readcheck"),
    ),
    Code(
        READ_JSON,
        "read",
        _E,
        "a JSON file could not be read at all (with `check`): the JSON path at fault named",
        "JSON 文件无法读取（`check` 时），写明出错的 JSON 路径",
        ("formats._jsonread",),
    ),
    Code(
        READ_XLSX,
        "read",
        _E,
        "a workbook could not be read at all (with `check`): the sheet or cell at fault named",
        "工作簿无法读取（`check` 时），写明出错的工作表或单元格",
        ("formats.xlsx._read",),
    ),
    Code(
        READ_EDITION_MIXED,
        "read",
        _E,
        "the tables mix labels of both editions",
        "表格混用了两种格式的标签",
        _ASSEMBLE,
    ),
    Code(
        READ_BY_ORDER,
        "read",
        _W,
        "a table whose labels were lost, read by the statutory row order and confirmed by its identities",
        "表格标签缺失，按法定行序读入，并经其勾稽关系验证",
        _ORDER,
    ),
    Code(
        READ_FOOTER_DROPPED,
        "read",
        _N,
        "a page footer or numbering line inside a table, dropped",
        "表格中的页脚或编号行，已略去",
        (*_ORDER, "formats.markdown"),
    ),
    Code(
        READ_LIFTED,
        "read",
        _W,
        "a figure (with its remark) a conversion printed outside its table, put back in the table's one empty cell "
        "(its identities then hold); provenance says `lifted`",
        "转换时被移出表格的数值（及其备注），放回表格中唯一的空单元格（其勾稽关系随之成立），来源标为 lifted",
        ("formats._lifted",),
    ),
    Code(
        READ_LIFTED_UNPLACED,
        "read",
        _W,
        "a figure printed outside its table whose cell is not certain; nothing is put back",
        "被移出表格的数值无法确定其单元格，未放回",
        ("formats._lifted",),
    ),
    Code(
        READ_ALIGNED_BY_ORDER,
        "read",
        _W,
        "values merged differently from their headers, paired in order",
        "数值与列标题的合并方式不同，按顺序对应读入",
        _LOCATE,
    ),
    Code(
        READ_LABEL_CORRECTED,
        "read",
        _W,
        "a misprinted label was read as the statutory one",
        "印刷有误的标签按规定标签读入",
        _ASSEMBLE,
    ),
    Code(
        READ_HEADING_VARIANT,
        "read",
        _W,
        "a section heading in a non-statutory wording",
        "部分标题未使用规定表述",
        _ASSEMBLE,
    ),
    Code(
        READ_VALUE_CONVERTED,
        "read",
        _W,
        "a figure printed unusually (`3.00` for a count) was read",
        "以非常规方式印刷的数值（如件数印作 `3.00`）已读入",
        _ASSEMBLE,
    ),
    Code(
        READ_LABEL_VARIANT,
        "read",
        _N,
        "a known variant label (`规范性文件`, `结转下一年度继续办理`) was read",
        "已读入已知的变体标签",
        _ASSEMBLE,
    ),
    Code(
        READ_NOTE,
        "read",
        _N,
        "a remark printed with a figure is kept in provenance",
        "数值旁印刷的备注保留在来源信息中",
        _ASSEMBLE,
    ),
    Code(
        READ_CELLS_MISCOUNTED,
        "read",
        _E,
        "text: a row label is followed by more or fewer cells than the model's columns for it; its cells are blank",
        "文本：行标签后的单元格数与该行的列数不符，其单元格留空",
        ("formats.text",),
    ),
    Code(
        READ_RUN_TOGETHER,
        "read",
        _E,
        "text: a label and figures ran together with no separator (`行政许可396442278`); never split",
        "文本：标签与数值连在一起没有分隔（如 `行政许可396442278`），不作拆分",
        ("formats.text",),
    ),
    Code(
        READ_SPLIT,
        "read",
        _W,
        "text: a row's figures ran together (`1000001`) and were split where only one split is possible (as many "
        "digits as cells, or the one split the row's identities accept); provenance says `split`",
        "文本：一行的数值连在一起（如 `1000001`），仅在唯一可拆分时拆开（位数等于格数，或仅一种拆法满足本行勾稽关系），"
        "来源标为 split",
        ("formats.text",),
    ),
    Code(
        READ_ENCODING,
        "read",
        _W,
        "HTML, text, Markdown: the encoding used is not the declared one (an unknown, invalid or non-text "
        "declaration, or bytes that contradict it), or bytes were shown as U+FFFD",
        "HTML、文本、Markdown：所用编码与声明不符，或有字节显示为 U+FFFD",
        ("formats._mhtml", "formats.html", "formats.text"),
    ),
    Code(
        READ_CONTROL_CHARS,
        "read",
        _W,
        "text, Markdown: NUL and other control characters were removed before reading",
        "文本、Markdown：读取前删除了 NUL 等控制字符",
        ("formats.text",),
    ),
    Code(
        READ_TITLE_FROM_HEAD,
        "read",
        _N,
        "HTML: the body prints no title; the page's `<title>` names the report",
        "HTML：正文没有标题，报告名称取自网页的 `<title>`",
        ("formats.html",),
    ),
    Code(
        READ_FORMULA,
        "read",
        None,
        "Excel: a formula cell; its saved value disagrees with the formula (the formula's value is read), or it "
        "has no saved value and cannot be evaluated (blank)",
        "Excel：公式单元格保存的值与公式不符（读入公式的值），或没有保存值且无法计算（留空）",
        ("formats.xlsx._read",),
        "warning when the formula's value is read; error when the cell is left blank",
    ),
    Code(
        READ_NUMBER_AS_TEXT,
        "read",
        _W,
        "Excel: a number stored as text was read as the number",
        "Excel：以文本保存的数字按数字读入",
        ("formats.xlsx._read",),
    ),
    Code(
        READ_META,
        "read",
        None,
        "Excel: a cover-sheet field (agency, year, date …) holds a value of the wrong kind: blank, or read as text",
        "Excel：封面字段（机关、年度、日期等）的值类型不对：留空，或按文本读入",
        ("formats.xlsx._read",),
        "error when left blank; warning when read as text",
    ),
    Code(
        READ_META_MISSING,
        "read",
        _W,
        "neither the caller nor the document names the agency or the year: the report is read with it unknown (`None`)",
        "调用方与文件均未写明机关或年度：报告照常读入，该项为未知（`None`）",
        ("formats._metadata",),
    ),
    Code(
        READ_META_CONFLICT,
        "read",
        _W,
        "a year printed elsewhere in the document (period sentence, file name …) differs from the one used",
        "文件其他位置（统计期限、文件名等）写明的年度与采用的年度不同",
        ("formats._metadata",),
    ),
)

_BATCH = (
    Code(
        BATCH_TIMEOUT,
        "batch",
        _E,
        "the file was stopped after `Limits.max_seconds` (the message says how long)",
        "文件处理超过 `Limits.max_seconds` 被终止",
        ("batch._result",),
    ),
    Code(
        BATCH_MEMORY,
        "batch",
        _E,
        "the file ran out of `Limits.max_memory_bytes` (the message names the cap)",
        "文件处理超出 `Limits.max_memory_bytes` 内存上限",
        ("batch._result",),
    ),
    Code(
        BATCH_CRASHED,
        "batch",
        _E,
        "the file's worker died, and again on a retry alone in a fresh worker (the message names the signal)",
        "处理文件的进程崩溃，单独重试仍崩溃",
        ("batch._result",),
    ),
    Code(
        BATCH_SKIPPED,
        "batch",
        _E,
        "a folder entry that is no file to read (a FIFO, a broken link …; the message says why)",
        "文件夹中不可读取的条目（管道、失效链接等），已跳过",
        ("batch._result",),
    ),
)

# Check findings: docs/checks.md "Codes". The identities' codes live in model.identities (the Excel
# writer uses them too); these are the same strings.
T3_BALANCE: Final = "T3_BALANCE"
T3_RESULTS_TOTAL: Final = "T3_RESULTS_TOTAL"
T3_ROW_TOTAL: Final = "T3_ROW_TOTAL"
T3_SUBTOTAL: Final = "T3_SUBTOTAL"
T4_TOTAL: Final = "T4_TOTAL"
T2_ITEMS_BELOW_ZERO: Final = "T2_ITEMS_BELOW_ZERO"
EDITION_YEAR: Final = "EDITION_YEAR"
T3_SINGLE_OTHER_ROW: Final = "T3_SINGLE_OTHER_ROW"
SERIES_DUPLICATE_YEAR: Final = "SERIES_DUPLICATE_YEAR"
SERIES_AGENCY: Final = "SERIES_AGENCY"
SERIES_GAP: Final = "SERIES_GAP"
SERIES_CARRY_OVER: Final = "SERIES_CARRY_OVER"
SERIES_IN_FORCE: Final = "SERIES_IN_FORCE"
STRUCTURE_SECTION_EMPTY: Final = "STRUCTURE_SECTION_EMPTY"
STRUCTURE_SECTION_MISSING: Final = "STRUCTURE_SECTION_MISSING"
STRUCTURE_HEADING: Final = "STRUCTURE_HEADING"
STRUCTURE_NONE_WITH_ACTIVITY: Final = "STRUCTURE_NONE_WITH_ACTIVITY"
STRUCTURE_YEAR: Final = "STRUCTURE_YEAR"
TEXT_TABLE_RECEIVED: Final = "TEXT_TABLE_RECEIVED"
TEXT_TABLE_CARRIED_OVER: Final = "TEXT_TABLE_CARRIED_OVER"
TEXT_TABLE_CARRIED_FORWARD: Final = "TEXT_TABLE_CARRIED_FORWARD"
TEXT_TABLE_HANDLED: Final = "TEXT_TABLE_HANDLED"
TEXT_TABLE_GRANTED: Final = "TEXT_TABLE_GRANTED"
TEXT_TABLE_RECONSIDERATION: Final = "TEXT_TABLE_RECONSIDERATION"
TEXT_TABLE_LITIGATION: Final = "TEXT_TABLE_LITIGATION"
NOT_A_REPORT: Final = "NOT_A_REPORT"
VALUE_INVALID: Final = "VALUE_INVALID"
CHECK_FAILED: Final = "CHECK_FAILED"

_IDENTITY = ("model.identities", "checks._builtin")
_TEXT = ("checks._analysis",)  # the topics (TOPICS) name their codes; checks._text makes one check of each
_SERIES = ("checks._series",)
_STRUCTURE = ("checks._structure",)

_CHECK = (
    Code(
        T3_BALANCE,
        "check",
        _I,
        "表三's printed 勾稽关系: 一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理, for each column",
        "表三勾稽关系：第一项加第二项之和等于第三项加第四项之和",
        _IDENTITY,
        count="7 (8 with 小计)",
    ),
    Code(
        T3_RESULTS_TOTAL,
        "check",
        _I,
        "表三 （七）总计 = the sum of every result row ((一), (二), the rows under (三)–(六)), for each column",
        "表三（七）总计等于各项办理结果之和",
        _IDENTITY,
        count="7 (8)",
    ),
    Code(
        T3_ROW_TOTAL,
        "check",
        _I,
        "表三 总计 column = 自然人 + the five 法人或其他组织 columns, for each row",
        "表三总计等于各类申请人之和",
        _IDENTITY,
        count="25 (23 with one （六） row)",
    ),
    Code(
        T3_SUBTOTAL,
        "check",
        _I,
        "表三 小计 = the five 法人或其他组织 columns, for each row (only with the 小计 column)",
        "表三小计等于法人或其他组织各列之和",
        _IDENTITY,
        count="25 (23) or 0",
    ),
    Code(
        T4_TOTAL,
        "check",
        _I,
        "表四 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, for each of the three blocks",
        "表四各栏总计等于各项结果之和",
        _IDENTITY,
        count="3",
    ),
    Code(
        T2_ITEMS_BELOW_ZERO,
        "check",
        _W,
        "表二 (2019): 上一年项目数量 + 本年增/减 is below zero",
        "表二（2019）：上一年项目数量加本年增/减为负数",
        ("checks._builtin",),
        count="per row",
    ),
    Code(
        EDITION_YEAR,
        "check",
        _N,
        "the report's format is not the one in force for its year (the 2019 notice allowed 参照); the finding "
        'names the year (`year`) and 表二 (`table="二"`, `path="table2"`), whose class gives the edition: '
        "`2021年 表二: a 2021 report whose 表二 (主动公开政府信息情况) is in the 2019 format`",
        "报告所用格式与年度不符",
        ("checks._builtin",),
        count="1",
    ),
    Code(
        T3_SINGLE_OTHER_ROW,
        "check",
        _N,
        "a 2021-format report prints （六）其他处理 as one row (the hybrid form)",
        "2021年格式报告的表三将（六）其他处理列为一行",
        ("checks._builtin",),
        count="1",
    ),
    Code(
        SERIES_DUPLICATE_YEAR,
        "check",
        _E,
        "two reports for one year",
        "同一年度有两份报告",
        _SERIES,
        count="series",
    ),
    Code(
        SERIES_AGENCY,
        "check",
        _W,
        "the reports are not all of one agency",
        "报告机关名称不一致",
        _SERIES,
        count="series",
    ),
    Code(
        SERIES_GAP,
        "check",
        _N,
        "a year is missing: the reports on either side are not compared",
        "缺少年度报告，前后年度无法比对",
        _SERIES,
        count="series",
    ),
    Code(
        SERIES_CARRY_OVER,
        "check",
        _W,
        "this year's 二、上年结转 = last year's 四、结转下年度继续办理, for each column (a warning: mergers and "
        "reorganisations break it legitimately)",
        "表三上年结转数与上年度结转下年度继续办理数不一致",
        _SERIES,
        count="7 (8) per pair",
    ),
    Code(
        SERIES_IN_FORCE,
        "check",
        _W,
        "表二 (2021) 现行有效件数 = last year's + 本年制发件数 - 本年废止件数, for 规章 and 行政规范性文件 "
        "(a heuristic: revisions and expiry break it); across a change of edition it is noted (info) and "
        "skipped, while `SERIES_CARRY_OVER` still compares 表三",
        "表二现行有效件数不等于上年度现行有效件数加本年制发件数减本年废止件数（参考性检查）",
        _SERIES,
        count="2 per pair",
    ),
    Code(
        STRUCTURE_SECTION_EMPTY,
        "check",
        _W,
        "a section with no text (or a table with no figure at all), in a report that has its text (a tables-only "
        "report, e.g. built from records or a workbook, is not assessed)",
        "报告某一部分内容为空",
        _STRUCTURE,
        count="6",
    ),
    Code(
        STRUCTURE_SECTION_MISSING,
        "check",
        _W,
        "the reader found no heading for a section (`headings[name] is None`)",
        "报告缺少某一部分",
        _STRUCTURE,
        count="per heading given",
    ),
    Code(
        STRUCTURE_HEADING,
        "check",
        _W,
        "a printed heading not in the statutory wording",
        "部分标题未使用规定表述",
        _STRUCTURE,
        "info for a known variant; error for an invalid `headings` entry",
        count="per heading given",
    ),
    Code(
        STRUCTURE_NONE_WITH_ACTIVITY,
        "check",
        _W,
        "a section whose text is only `无` where the figures show activity",
        "某部分仅称“无”而表格显示有相关情况",
        _STRUCTURE,
        count="per text section",
    ),
    Code(
        STRUCTURE_YEAR,
        "check",
        _E,
        "the report year is after the current year, or before 2019",
        "报告年度早于2019年或晚于当前年度",
        _STRUCTURE,
        "warning before 2019",
        count="1",
    ),
    Code(
        TEXT_TABLE_RECEIVED,
        "check",
        _W,
        "the text's figure of applications received against 表三 一、本年新收 × 总计",
        "正文所述收到申请数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_CARRIED_OVER,
        "check",
        _W,
        "… of applications carried over against 二、上年结转 × 总计",
        "正文所述上年结转申请数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_CARRIED_FORWARD,
        "check",
        _W,
        "… of applications carried forward against 四、结转下年度继续办理 × 总计",
        "正文所述结转下年度申请数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_HANDLED,
        "check",
        _W,
        "… of applications handled against （七）总计 × 总计",
        "正文所述办结申请数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_GRANTED,
        "check",
        _W,
        "… of applications granted in full against （一）予以公开 × 总计",
        "正文所述予以公开数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_RECONSIDERATION,
        "check",
        _W,
        "… of reconsiderations against 表四 行政复议 × 总计",
        "正文所述行政复议数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        TEXT_TABLE_LITIGATION,
        "check",
        _W,
        "… of lawsuits against 表四 未经复议直接起诉 + 复议后起诉, 总计",
        "正文所述行政诉讼数与表格不一致",
        _TEXT,
        count="per sentence",
    ),
    Code(
        NOT_A_REPORT,
        "check",
        _E,
        "`validate` was given something that is not an `AnnualReport`",
        "`validate` 收到的不是 `AnnualReport`",
        ("checks",),
        count="—",
    ),
    Code(
        VALUE_INVALID,
        "check",
        _E,
        "a value the model does not allow, in a report forged past the model's checks (`object.__setattr__`): a "
        "str, a list or a bool in a count cell, a table of the wrong class; or a whole number above `MAX_FIGURE` "
        "(10¹⁵), too large to be a real figure. Located at the path (and the cell's labels). Identities with such "
        "a cell are not assessed; when a section or table itself has the wrong class, no other check runs",
        "报告中有模型不允许的值（绕过模型检查伪造的对象），或数值过大不可能真实",
        ("checks._sanity",),
        count="per value",
    ),
    Code(
        CHECK_FAILED,
        "check",
        _E,
        "a check raised an exception (its message is in the finding), or the `checks` selection named an unknown code",
        "某项检查运行出错（消息见该结果），或 `checks` 参数指定了未知的检查代码",
        ("checks", "checks._registry"),
        count="—",
    ),
)

# Jurisdictions (JURISDICTION_…): docs/jurisdictions.md. The series checks keep their SERIES_ codes.
JURISDICTION_REGISTER: Final = "JURISDICTION_REGISTER"
JURISDICTION_UNKNOWN_AGENCY: Final = "JURISDICTION_UNKNOWN_AGENCY"
JURISDICTION_NO_YEAR: Final = "JURISDICTION_NO_YEAR"
JURISDICTION_MISSING: Final = "JURISDICTION_MISSING"
JURISDICTION_DUPLICATE: Final = "JURISDICTION_DUPLICATE"
JURISDICTION_CONFLICT: Final = "JURISDICTION_CONFLICT"
JURISDICTION_SUMMARY: Final = "JURISDICTION_SUMMARY"

_JURISDICTION = (
    Code(
        JURISDICTION_REGISTER,
        "jurisdiction",
        _E,
        "a row of the register cannot be used (a blank name, a name given to two units, a parent not registered "
        "or leading back to the unit, an unknown `summary`); every problem is raised at once in a `RegisterError`",
        "机关名录有误（名称为空、重名、上级未登记或循环、汇总标记无效）",
        ("register",),
    ),
    Code(
        JURISDICTION_UNKNOWN_AGENCY,
        "jurisdiction",
        _W,
        "a report whose agency is not in the register (or not printed); the closest registered names are suggested",
        "报告机关不在名录中（或未注明），列出最接近的名录名称",
        ("jurisdiction",),
    ),
    Code(
        JURISDICTION_NO_YEAR,
        "jurisdiction",
        _W,
        "a report of a registered unit whose year is unknown: it is left out of the checks",
        "报告年度不明，未参与检查",
        ("jurisdiction",),
    ),
    Code(
        JURISDICTION_MISSING,
        "jurisdiction",
        _E,
        "a registered unit has no report for a year checked",
        "名录中的单位缺少该年度报告",
        ("jurisdiction",),
    ),
    Code(
        JURISDICTION_DUPLICATE,
        "jurisdiction",
        _N,
        "two files hold the same report of one unit and year (the first is used)",
        "同一单位同一年度的报告重复（内容相同）",
        ("jurisdiction",),
    ),
    Code(
        JURISDICTION_CONFLICT,
        "jurisdiction",
        _E,
        "two files hold different reports of one unit and year; the finding names both (the first is used)",
        "同一单位同一年度有两份内容不同的报告",
        ("jurisdiction",),
    ),
    Code(
        JURISDICTION_SUMMARY,
        "jurisdiction",
        _I,
        "a summary report's cell differs from the sum of its units' (register `summary`: `complete`), or is below "
        "it (`partial`, or a unit's report is missing), cell by cell; a cell blank in a unit, or where a unit's "
        "two reports differ, is not assessed",
        "汇总报告的数字与所属单位之和不符（或小于所属单位之和）",
        ("jurisdiction",),
    ),
)

#: Every code, by its string, in the order of the docs tables (reading, batch, checks, jurisdictions).
CATALOGUE: Mapping[str, Code] = {c.code: c for c in (*_READ, *_BATCH, *_CHECK, *_JURISDICTION)}

_PROBLEMS_HEAD = ("| code | severity | meaning | 说明 |", "|---|---|---|---|")
_HEADS = {
    "read": _PROBLEMS_HEAD,
    "batch": _PROBLEMS_HEAD,
    "check": ("| code | severity | what it checks | 说明 | how many per report |", "|---|---|---|---|---|"),
    "jurisdiction": _PROBLEMS_HEAD,
}


def table(area: Area) -> str:
    """The Markdown codes table of one area, as the docs print it (between their ``codes`` markers)."""
    lines = list(_HEADS[area])
    for c in CATALOGUE.values():
        if c.area != area:
            continue
        cells = [f"`{c.code}`", c.severity_text, c.en, c.zh] + ([c.count] if area == "check" else [])
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - prints the tables for the docs
    for _area in AREAS:
        print(f"<!-- BEGIN codes {_area} -->\n{table(_area)}<!-- END codes {_area} -->\n")
