"""The HTML reader's fast paths answer to the thorough one (issue 19): the same documents and results.

``parse_html`` hands lxml the page's text as UTF-8 bytes said to be UTF-8 (lxml converts a ``str`` to
UTF-16 or UCS-4 on the way otherwise); ``GONGKAI_NO_FAST_PATHS=1`` (here: ``html.FAST_PATHS`` off)
hands it the ``str``, as before. ``parse_value`` remembers the reading of short texts. Both must
change nothing: every page here, valid and damaged, reads the same both ways.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_html_walk import _markup, _snapshot, mangled_tables
from test_read_html import QUIRKS, _example_reports

from gongkai_model.errors import Place, Tally
from gongkai_model.formats import _assemble, _document, _locate, _metadata, _values
from gongkai_model.formats import html as html_module
from gongkai_model.formats import text as text_module
from gongkai_model.formats._document import CellBudget, Grid, GridCell, Recognition, Span, maker
from gongkai_model.formats._result import Provenance
from gongkai_model.formats.html import parse_html, read_html, render_html
from gongkai_model.labels import normalize_label
from gongkai_model.limits import Limits
from gongkai_model.model import Shape, Value

CASES = Path(__file__).parent / "data" / "cases"


#: The fast paths set at import (module, name, the thorough value): the objects made per cell without the
#: frozen ``__init__`` (``_codegen.maker``) and each grid's cells found once (``Grid.cells``).
_SWITCHED: list[tuple[Any, str, Any]] = [
    (html_module, "FAST_PATHS", False),
    (_document, "FAST_PATHS", False),
    (_locate, "FAST_PATHS", False),
    (_assemble, "FAST_PATHS", False),
    (_metadata, "FAST_PATHS", False),
    (_document, "_make_place", Place),
    (_document, "_make_cell", GridCell),
    (html_module, "_make_span", Span),
    (text_module, "_make_span", Span),
    (_assemble, "_make_provenance", Provenance),
]


@contextlib.contextmanager
def _thorough() -> Iterator[None]:
    saved = [(module, name, getattr(module, name)) for module, name, _ in _SWITCHED]
    for module, name, thorough in _SWITCHED:
        setattr(module, name, thorough)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _result(page: bytes | str, **kwargs: Any) -> Any:
    """The document, and for bytes the result of ``read_html`` (report, problems, provenance)."""
    doc = _snapshot(parse_html(page, **kwargs))
    if not isinstance(page, bytes):
        return doc
    got = read_html(page, **kwargs)
    return doc, got.report, [repr(p) for p in got.problems], got.provenance, got.headings


def assert_same(page: bytes | str, **kwargs: Any) -> None:
    fast = _result(page, **kwargs)
    with _thorough():
        thorough = _result(page, **kwargs)
    assert fast == thorough


@pytest.mark.parametrize("name", ["shanghai-shizhengfu-bangongting-2019.html", "shuyang-fagaiju-2023.html"])
def test_real_pages(name: str) -> None:
    assert_same((CASES / name).read_bytes())


@pytest.mark.parametrize("quirk", ["plain", *QUIRKS])
def test_rendered_pages_and_their_quirks(quirk: str) -> None:
    for report in _example_reports():
        page = render_html(report)
        assert_same((QUIRKS[quirk](page) if quirk != "plain" else page).encode())


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><meta charset='gbk'></head><body><p>中文一、总体情况</p></body></html>",
        "<?xml version='1.0' encoding='gbk'?><html><body><p>中文</p></body></html>",
        "<?xml version='1.0'?><?xml version='1.0' encoding='gbk'?><p>中文</p>",
        "<p>café only Latin-1</p><table><tr><td>é</td><td>1</td></tr></table>",
        "<p>astral 𠀀😀</p><table><tr><td>𠀀</td><td>1</td></tr></table>",
        "<p>a lone surrogate \ud800 in a str page</p><table><tr><td>\udfff</td></tr></table>",
        "<p>NUL \x00 and control \x01 characters &#1; &#0;</p><table><tr><td>1\x012</td></tr></table>",
        "<div>" * 300 + "<table><tr><td>1</td></tr></table>" + "</div>" * 300,
        "",
        "   ",
        "\ufeff<p>一、总体情况</p>",
        "<p style='DISPLAY:NONE'>hidden 一、总体情况</p><p>x</p>",
        "<p style='dİsplay:none'>İ lowers to i + U+0307</p><p style='\u212a'>\u212a</p><NOSCRIPT>x</NOSCRIPT>",
        "<TEMPLATE><table><tr><td>1</td></tr></table></TEMPLATE><p Hidden>y</p>",
    ],
)
def test_odd_pages(page: str) -> None:
    assert_same(page)
    try:
        data = page.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert_same(data)
    assert_same(page.encode("gb18030", "replace"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(mangled_tables(), _markup), min_size=1, max_size=3),
    st.sampled_from(["", "<style>.x{display:none}</style>", "<meta charset='gb2312'>"]),
    st.text(max_size=8),
)
def test_mangled_pages(parts: list[str], head: str, junk: str) -> None:
    page = f"<html><head>{head}</head><body>{junk}{''.join(parts)}</body></html>"
    assert_same(page)
    assert_same(page.encode("utf-8", "surrogatepass"))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["", "<td>", "</tr>", "<table>", "<p>", "\x00", "<?xml x?>", "&#2;"]))
def test_cut_and_spliced_pages(at: int, junk: str) -> None:
    page = render_html(_example_reports()[1])
    at = at % len(page)
    assert_same((page[:at] + junk + page[at:]).encode())


def test_within_the_limits() -> None:
    page = render_html(_example_reports()[0]).encode()
    for limits in (Limits(max_rows=3), Limits(max_cells=40), Limits(max_depth=4), Limits(max_chars=500)):
        assert_same(page, limits=limits)


_run_text = st.sampled_from(
    ["", " ", "\xa0", "\n", "一、总体情况", "二、主动公开政府信息情况", "（一）", "2023", "年", "x"]
)
_run_tag = st.sampled_from(["span", "font", "b", "strong", "o:p", "a", "SPAN", "br", "img src=''", "h3", "p", "script"])
_runs = st.recursive(
    _run_text,
    lambda inner: st.tuples(_run_tag, st.lists(inner, max_size=3), _run_text).map(
        lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0].split()[0]}>{t[2]}"
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "div", "li", "h2"]), _runs), min_size=1, max_size=5), st.integers(2, 9))
def test_paragraphs_of_runs(paragraphs: list[tuple[str, str]], depth: int) -> None:
    """Runs of a line's text (``<span><font>…``, headings printed in bold at a paragraph's start, breaks and
    pictures among them), read in their parent's loop once the line holds a text: as the walk reads them,
    within the depth limit or past it."""
    body = "".join(f"<{tag}>{runs}</{tag}>" for tag, runs in paragraphs)
    page = f"<html><body>{body}<table><tr><td>1</td></tr></table></body></html>"
    assert_same(page.encode())
    assert_same(page.encode(), limits=Limits(max_depth=depth))


_printed = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789,.-/ 件万元（）()①⑴*\n\u3000０１２３", max_size=12),
    st.text(min_size=60, max_size=70),
)


@settings(max_examples=400, deadline=None)
@given(_printed, st.sampled_from(list(Value)), st.sampled_from([None, "万元", "元"]))
def test_a_remembered_reading_is_the_reading(text: str, kind: Value, unit: str | None) -> None:
    """``parse_value`` remembers short texts' readings: each is what reading it afresh gives."""
    first = _values.parse_value(text, kind, unit=unit)
    again = _values.parse_value(text, kind, unit=unit)
    assert first == again == _values._parse(text, kind, unit)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="一二三四五六、，。 .:：总体情况主动公开其他\u3000\n（）()1a", max_size=70),
        st.text(max_size=70),
    ),
    st.sampled_from([None, 0, 1, 4, 5]),
)
def test_a_remembered_heading_is_the_heading(text: str, expected: int | None) -> None:
    """``find_heading`` remembers short texts' answers: each is what finding it afresh gives, asked again or not."""
    first = _assemble.find_heading(text, expected)
    again = _assemble.find_heading(text, expected)
    assert first == again == _assemble._find_heading(text, expected)
    for heading in ("一、总体情况", "五、其他需要报告的事项", "三、" + text[:20]):
        assert _assemble.find_heading(heading, expected) == _assemble._find_heading(heading, expected)


def test_no_other_character_normalises_to_a_sentence_mark() -> None:
    """``find_meta`` normalises only a paragraph holding one of its sentences' marks (统, 由, 编): no other
    character holds one after NFKC (every code point), so a paragraph without them matches no sentence."""
    import sys
    import unicodedata

    marks = _metadata._SENTENCE_MARKS
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if ch in marks:
            continue
        assert not any(m in unicodedata.normalize("NFKD", ch) for m in marks), hex(code)


def test_the_characters_read_as_their_own_forms_are() -> None:
    """``title_parts`` takes a text of ASCII, 、。 and basic-block ideographs as its own NFKC form: each is."""
    import unicodedata

    chars = [chr(c) for c in [*range(0x80), 0x3001, 0x3002, *range(0x4E00, 0xA000)]]
    assert all(_metadata._OWN_FORMS.fullmatch(ch) for ch in chars)
    assert all(unicodedata.normalize("NFKC", ch) == ch for ch in chars)
    assert _metadata._OWN_FORMS.fullmatch("\u3000") is None
    assert _metadata._OWN_FORMS.fullmatch("\uf900") is None


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(
            alphabet="某县人民政府2023年度政府信息公开工作报告、。（）()１２０２３\u3000\uf900⼀㈠ﬁ e\u0301>|",
            max_size=60,
        ),
        st.text(max_size=40),
    )
)
def test_title_parts_read_alike_with_and_without_the_own_forms(text: str) -> None:
    """A title read with its own-form test is what reading it character by character gives."""
    fast = (_metadata._nfkc(text), _metadata.title_parts(text))
    saved = _metadata.FAST_PATHS
    _metadata.FAST_PATHS = False
    try:
        assert (_metadata._nfkc(text), _metadata.title_parts(text)) == fast
    finally:
        _metadata.FAST_PATHS = saved


_sentences = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
                "统计期限为２０２２年１月１日至12月31日",
                "本报告由某县人民政府办公室负责编制。",
                "本年度报告是由某市发展和改革委员会编写",
                "某县人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制本报告。",
                "一、总体情况",
                "（一）主动公开政府信息情况",
            ]
        ),
        st.text(alphabet="统计期限自由编制本报告年月日1２０2３（）《》政府信息公开条例根据，。 \u3000", max_size=40),
        st.text(max_size=30),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_sentences, st.sampled_from([None, 2023]), st.sampled_from(["某县报告.html", "2021年信息公开年度报告.html"]))
def test_meta_read_alike_with_and_without_the_sentence_marks(texts: list[str], year: int | None, name: str) -> None:
    """``find_meta``'s paragraphs without a sentence mark (not normalised) give what normalising them gives."""
    from gongkai_model.formats._document import Block, Document

    blocks = tuple(Block("paragraph", t, Place(name, line=i + 1)) for i, t in enumerate(texts))
    doc = Document(name, blocks)
    fast = _metadata.find_meta(doc, (None, None, None), year=year)
    saved = _metadata.FAST_PATHS
    _metadata.FAST_PATHS = False
    try:
        assert _metadata.find_meta(doc, (None, None, None), year=year) == fast
    finally:
        _metadata.FAST_PATHS = saved


_headingish = st.text(alphabet="一二三四五六、，。 .:：总体情况主动公开\u3000\u0301\n（）()1a①", max_size=120)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_headingish, st.text(max_size=120)), st.sampled_from([None, 0, 1, 4, 5]))
def test_a_paragraph_told_from_a_heading_by_its_ideographs(text: str, expected: int | None) -> None:
    """``find_heading`` tells a text of more than 40 ideographs is no heading without normalising it."""
    fast = _assemble.find_heading(text, expected)
    saved = _assemble.FAST_PATHS
    _assemble.FAST_PATHS = False
    try:
        assert _assemble.find_heading(text, expected) == fast
    finally:
        _assemble.FAST_PATHS = saved
    long_heading = "一、总体情况" + text
    saved = _assemble.FAST_PATHS
    fast = _assemble.find_heading(long_heading, expected)
    _assemble.FAST_PATHS = False
    try:
        assert _assemble.find_heading(long_heading, expected) == fast
    finally:
        _assemble.FAST_PATHS = saved


_small = st.one_of(st.none(), st.integers(-3, 10**6))
_places = st.builds(
    Place,
    st.text(max_size=8),
    _small,
    _small,
    _small,
    _small,
    _small,
    st.one_of(st.none(), st.text(max_size=6)),
    _small,
    st.one_of(st.none(), st.tuples(*[st.integers(0, 5000)] * 4)),
)
_ocr = st.one_of(
    st.none(), st.builds(Recognition, st.floats(0, 1), st.lists(st.text(max_size=4), max_size=2).map(tuple))
)


def _fields(obj: Any) -> tuple[Any, ...]:
    return (type(obj), *(getattr(obj, a.name) for a in attrs.fields(type(obj))))


@settings(max_examples=200, deadline=None)
@given(
    _places,
    st.text(max_size=10),
    st.lists(st.integers(0, 50), min_size=4, max_size=4),
    st.booleans(),
    st.booleans(),
    _ocr,
    st.sampled_from(["label", "order", "split", "lifted"]),
)
def test_objects_made_per_cell_are_the_classes_own(
    place: Place, text: str, box: list[int], formula: bool, split: bool, ocr: Recognition | None, how: str
) -> None:
    """``maker(cls)`` makes what ``cls(...)`` makes: the same class and fields (equal, hashed alike)."""
    made = {
        Place: tuple(getattr(place, a.name) for a in attrs.fields(Place)),
        Span: (text, box[0], box[1], formula, place, split, ocr),
        GridCell: (text, place, *box, formula, split, ocr),
        Provenance: (place, text, None, "x", formula, how, split, None, (), None),
        Tally: (box[0], box[1], box[2], box[3], len(text)),  # (what validate makes per call: checks._made_tally)
    }
    for cls, values in made.items():
        fast, thorough = maker(cls, fast=True)(*values), cls(*values)
        assert type(fast) is cls
        assert _fields(fast) == _fields(thorough)
        if cls is not GridCell:  # (compared by identity)
            assert fast == thorough
            assert hash(fast) == hash(thorough)
            assert repr(fast) == repr(thorough)
        assert maker(cls, fast=False) is cls
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(fast, "text", "changed")  # noqa: B010
    assert maker(Value) is Value
    assert maker(_Checked) is _Checked


@attrs.frozen
class _Checked:
    n: int = attrs.field(validator=attrs.validators.instance_of(int))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3)), max_size=5), max_size=6))
def test_a_grids_cells_are_found_once_and_each_call_gets_its_own_list(shape: list[list[tuple[int, int]]]) -> None:
    spans = [[Span(f"{r}.{c}", rs, cs) for c, (rs, cs) in enumerate(row)] for r, row in enumerate(shape)]
    grid = Grid.build(spans, Place("x.html", table=1))
    first = grid.cells()
    assert first == grid._cells()
    first.clear()
    again = grid.cells()
    assert again == grid._cells()
    assert again is not grid.cells()


def _grid_fields(grid: Grid) -> Any:
    return tuple(
        tuple(None if c is None else (_fields(c), c.top, c.left) for c in row) for row in grid.rows
    ), grid.place


_cell_texts = st.sampled_from(["", " ", "1", "23", "标签", "1.属于", "国家秘密", " 规章 ", "\n"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_cell_texts, st.tuples(_cell_texts, st.integers(1, 4), st.integers(1, 4))), max_size=6),
        max_size=6,
    ),
    st.sampled_from([Limits(), Limits(max_rows=3), Limits(max_columns=3), Limits(max_cells=7)]),
    st.sampled_from([None, 5, 30]),
)
def test_a_plain_cell_given_as_its_text_is_its_span(rows: list[list[Any]], limits: Limits, left: int | None) -> None:
    """``Grid.build`` reads a ``str`` as ``Span(str)`` (the HTML reader's plain cells): the same grid,
    the same clipping said, the same budget left."""
    texts = [[x if isinstance(x, str) else Span(*x) for x in row] for row in rows]
    spans = [[Span(x) if isinstance(x, str) else x for x in row] for row in texts]
    got = []
    for given_rows in (texts, spans):
        problems: list[Any] = []
        budget = None if left is None else CellBudget(left)
        grid = Grid.build(given_rows, Place("x.html", table=2), limits, problems, budget)
        got.append((_grid_fields(grid), [repr(p) for p in problems], None if budget is None else budget.left))
    assert got[0] == got[1]


_pieces = st.sampled_from(
    [
        "1.属于",
        "国家秘密",
        "1.属于国家秘密",
        "属于",
        "国家",
        "秘密",
        "",
        " ",
        "3",
        "12",
        "规章",
        "信息内容",
        " 1.属 ",
        "于国家秘密",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(_pieces, st.tuples(_pieces, st.integers(1, 2), st.integers(1, 3))), max_size=6), max_size=5
    ),
    st.sampled_from(Shape.all()),
    st.booleans(),
)
def test_a_grids_label_forms_and_split_labels_are_found_once(rows: list[list[Any]], shape: Shape, short: bool) -> None:
    """``cell_keys``, the lines of pieces ``joined`` reads and the short cells' label forms (the assembler's),
    found once per grid, are what finding them afresh (``GONGKAI_NO_FAST_PATHS``) gives, for the grid's
    cells and for a part of them."""
    spans = [[Span(x) if isinstance(x, str) else Span(*x) for x in row] for row in rows]
    grid = Grid.build(spans, Place("x.html", table=1))
    cells = grid.cells()
    if short:
        cells = [c for c in cells if len(c.text) <= 4]
    every = frozenset(k for _, k in _assemble._row_keys())
    row_keys = _locate._all_row_keys(shape)

    def found() -> Any:
        keys = _locate.cell_keys(grid)
        return (
            keys,
            [(c.text, c.place, c.top, c.left, c.bottom, c.right) for c in _locate.joined(grid, cells, row_keys)],
            [(c.text, c.left, c.right) for c in _locate.joined(grid, cells, every)],
            _assemble._short_keys(grid),
        )

    fast, again = found(), found()
    with _thorough():
        thorough = found()
    assert fast == again == thorough
    assert list(fast[0]) == [normalize_label(c.text) for c in grid.cells()]
    assert fast[3] == {normalize_label(c.text) for c in grid.cells() if len(c.text) <= _assemble.MAX_HEADING_CHARS}


def test_a_label_split_over_cells_is_joined_from_the_remembered_lines() -> None:
    grid = Grid.build([[Span("1.属于"), Span("国家秘密"), Span("3")], [Span(" 1.属 "), Span("于国家秘密")]], Place("x"))
    keys = _locate._all_row_keys(Shape.all()[0])
    for _ in range(2):  # found, then remembered
        got = [(c.text, c.top, c.left, c.right) for c in _locate.joined(grid, grid.cells(), keys)]
        assert got == [("1.属于国家秘密", 0, 0, 1), ("1.属于国家秘密", 1, 0, 1)]
