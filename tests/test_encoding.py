"""formats/_encoding.py: encodings as the bytes are, not as declared (HTML, text and Markdown share it)."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.formats._encoding import decode_bytes, usable_encoding
from gongkai_model.formats.html import declared_charset, parse_html
from gongkai_model.formats.text import clean_text, decode_text, read_text, render_text

from hostile import assert_contract, run_capped

CHINESE = "二〇二三年政府信息公开工作年度报告：行政许可１２件。"


@pytest.mark.parametrize(
    "name",
    [
        *("idna", "punycode", "undefined", "rot13", "rot_13", "base64", "zlib", "bz2", "hex", "uu", "quopri"),
        "utf-7",
        "utf-16",
        "utf-32",
        "unicode_escape",
        "raw_unicode_escape",
        "cp037",
        "x-user-defined",
        "",
        "x" * 100,
    ],
)
def test_names_that_are_no_page_encoding_are_not_usable(name: str) -> None:
    assert usable_encoding(name) is None


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        *(("utf-8", "utf-8"), ("UTF8", "utf-8"), ("gbk", "gb18030"), ("GB2312", "gb18030"), ("cp936", "gb18030")),
        ("x-gbk", "gb18030"),
        ("big5", "big5"),
        ("windows-1252", "cp1252"),
        ("latin1", "iso8859-1"),
    ],
)
def test_usable_names(name: str, codec: str) -> None:
    assert usable_encoding(name) == codec


@pytest.mark.parametrize("declared", [None, "utf-8", "gbk", "idna", "punycode", "undefined", "rot13", "latin1"])
def test_boms_decide(declared: str | None) -> None:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        decoded = decode_bytes(bom + CHINESE.encode(codec), declared)
        assert decoded.text == CHINESE
        assert decoded.clean
        assert decoded.note is None


def test_gbk_declared_utf8_is_read_as_gb18030_and_said() -> None:
    decoded = decode_bytes(CHINESE.encode("gbk"), "utf-8")
    assert (decoded.text, decoded.encoding, decoded.clean) == (CHINESE, "gb18030", True)
    assert decoded.note == "the bytes are not the declared encoding 'utf-8'; read as gb18030"


def test_utf8_declared_gbk_is_read_as_utf8_and_said() -> None:
    decoded = decode_bytes(CHINESE.encode("utf-8"), "gbk")
    assert (decoded.text, decoded.encoding) == (CHINESE, "utf-8")
    assert decoded.note is not None


def test_nothing_declared_gb18030_says_nothing() -> None:
    decoded = decode_bytes(CHINESE.encode("gb18030"))
    assert (decoded.text, decoded.encoding, decoded.note) == (CHINESE, "gb18030", None)


def test_undecodable_bytes_are_replaced_and_said() -> None:
    decoded = decode_bytes(b"\x81\x20abc\xff", "utf-8")
    assert not decoded.clean
    assert "\ufffd" in decoded.text
    assert decoded.note is not None
    assert "U+FFFD" in decoded.note


def test_the_declaration_of_a_page() -> None:
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">') == "GB2312"
    assert declared_charset(b'<meta charset="idna">') == "idna"
    assert declared_charset(b'<?xml version="1.0" encoding="gbk"?><html>') == "gbk"
    assert declared_charset(b"<html><p>charset</p>") is None
    assert declared_charset(b" " * 5000 + b'<meta charset="gbk">') is None  # only the page's head is looked at


@pytest.mark.parametrize("charset", ["idna", "punycode", "undefined", "rot13", "base64", "zlib", "utf-7"])
def test_parse_html_never_raises_on_a_declared_charset(charset: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><p>{CHINESE}</p></body></html>'
    doc = parse_html(page.encode("utf-8"))
    assert doc.blocks[0].text == CHINESE
    assert [p.code for p in doc.problems] == ["READ_ENCODING"]


def test_text_reader_shares_the_rules() -> None:
    problems: list[gk.Problem] = []
    assert clean_text(CHINESE.encode("gb18030"), "x.txt", problems) == CHINESE
    assert problems == []
    assert decode_text(b"\xff\xfe" + CHINESE.encode("utf-16-le")) == (CHINESE, True)
    clean_text(b"abc\x81", "x.txt", problems)
    assert [p.code for p in problems] == ["READ_ENCODING"]


def undecodable_text_report() -> object:
    """A text report in GBK with a few bytes that are nothing (a damaged download)."""
    data = render_text(gk.examples.seed_report()).encode("gbk")
    return read_text(data[:200] + b"\xff\xff" + data[200:])


def test_a_damaged_text_report_is_read_with_a_warning() -> None:
    outcome = assert_contract(run_capped("test_encoding:undecodable_text_report"))
    assert "READ_ENCODING" in outcome.codes, str(outcome)


@settings(max_examples=200)
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",))),
    declared=st.sampled_from([None, "utf-8", "gbk", "idna", "rot13", "latin1", "utf-16", "big5"]),
)
def test_utf8_text_always_reads_back(text: str, declared: str | None) -> None:
    decoded = decode_bytes(text.encode("utf-8"), declared)
    assert decoded.text == text.removeprefix("\ufeff")
    assert decoded.clean


@settings(max_examples=200)
@given(text=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.sampled_from("，。、：０１２abc ")))
def test_gb18030_text_reads_back_unless_its_bytes_are_utf8(text: str) -> None:
    data = text.encode("gb18030")
    decoded = decode_bytes(data, "utf-8")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decoded.text == text
    else:
        assert decoded.encoding in ("utf-8", "ascii")


@settings(max_examples=200)
@given(data=st.binary(max_size=200), declared=st.none() | st.text(max_size=30))
def test_any_bytes_and_any_declaration_decode(data: bytes, declared: str | None) -> None:
    decoded = decode_bytes(data, declared)
    assert isinstance(decoded.text, str)
    assert decoded.clean or decoded.note is not None
