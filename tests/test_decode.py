"""Bytes -> text (cleaner.ingest.decode): byte-order marks, legacy encodings, newline styles,
odd spaces and control characters. Offsets in `removed` always refer to the decoded text."""
import io
import random

import pytest

from cleaner import clean
from cleaner.ingest import InputError, decode, document_from_bytes, jsonl_documents
from cleaner.pipeline import clean_document

from test_lossless import assert_lossless

ARTICLE = ("Café owners in Zürich fear a “naïve” plan\n\n"
           "By Jürgen Müller\n\n"
           "Café owners in Zürich said on Monday that the city’s plan to close the old town to "
           "cars would cost them €5m a year, and that the council had not listened to them.\n\n"
           "The council said it would publish its own figures next week.\n\n"
           "Follow us on Twitter for the latest news.")


def cleaned(data: bytes, html=None):
    doc = document_from_bytes("x", data, html=html)
    assert doc.error is None, doc.error
    result = clean_document(doc)
    text = doc.html if doc.html is not None else doc.text
    return text, result


def assert_clean_of_the_article(text: str, result) -> None:
    assert text.replace("\r\n", "\n").replace("\r", "\n") == ARTICLE
    assert result.title == "Café owners in Zürich fear a “naïve” plan"
    assert result.byline == ("Jürgen Müller",)
    assert "Follow us" not in result.body and "€5m" in result.body
    assert_lossless(text, result)           # offsets are into the decoded text


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_byte_order_marks_and_utf16_without_one(codec):
    text, result = cleaned(ARTICLE.encode(codec))    # -le/-be: no BOM, NULs tell the order
    assert not text.startswith("\ufeff")
    assert_clean_of_the_article(text, result)
    assert [w for w in result.warnings if "over-stripping" in w] == []


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_legacy_latin_text_decodes_as_cp1252_with_a_warning(codec):
    article = ARTICLE.replace("€", "EUR ").replace("“", '"').replace("”", '"').replace("’", "'") \
        if codec == "latin-1" else ARTICLE
    text, result = cleaned(article.encode(codec))
    assert text == article
    assert any("cp1252" in w and "not valid UTF-8" in w for w in result.warnings)
    assert result.title.startswith("Café owners in Zürich")


@pytest.mark.parametrize("text,codec,found", [
    ("Москва заявила в понедельник, что переговоры возобновятся во вторник.", "koi8-r", "koi8_r"),
    ("Zażółć gęślą jaźń, powiedział minister w poniedziałek.", "cp1250", "cp1250"),
    ("Caf\u00e9 owners fear plan\n\nCaf\u00e9 owners in Z\u00fcrich said on Monday.", "cp1252", "cp1252"),
])
def test_other_legacy_encodings_are_found(text, codec, found):
    # (charset-normalizer alone names cp775 for the short cp1252 text: 'Cafķ')
    assert decode(text.encode(codec)) == (text, f"decoded as {found} (not valid UTF-8)")


def test_html_meta_charset_is_used_when_the_bytes_are_not_utf8():
    page = ("<html><head><meta charset=\"iso-8859-1\"><title>Café owners fear a plan</title>"
            "</head><body><article><h1>Café owners fear a plan</h1><p>Café owners in Zürich said "
            "on Monday that the city's plan to close the old town to cars would cost them dearly, "
            "and that the council had not listened.</p><p>The council said it would publish its "
            "own figures next week, officials said.</p></article></body></html>")
    for html in (True, None):           # told it is HTML, or sniffed
        doc = document_from_bytes("p", page.encode("latin-1"), html=html)
        assert doc.html is not None and "Zürich" in doc.html
        assert any("HTML meta charset" in w for w in doc.warnings)


def test_utf8_with_a_damaged_byte_keeps_the_rest_and_says_so():
    data = ARTICLE.encode().replace("council said".encode(), b"council\xff said")
    text, result = cleaned(data)
    assert "council\ufffd said" in text and "Zürich" in text
    assert any("1 invalid UTF-8 byte sequence replaced" in w for w in result.warnings)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c",
                                     "\x1c", "\x1d", "\x1e", "\n"])
def test_every_newline_style_cleans_alike(newline):
    text = ARTICLE.replace("\n", newline)
    result, plain = clean(text), clean(ARTICLE)
    assert result.body == plain.body
    assert [(r.rule, r.text) for r in result.removed] == [(r.rule, r.text) for r in plain.removed]
    for r in result.removed:
        assert text[r.start:r.end] == r.text


def test_nbsp_and_odd_spaces_do_not_hide_noise_or_break_offsets():
    odd = ARTICLE.replace("Follow us on Twitter", "Follow\u00a0us\u2009on\u202fTwitter") \
        .replace("By Jürgen", "By\u00a0Jürgen").replace("\n\nThe council", "\n\u3000\n\u00a0The council")
    result = clean(odd)
    assert "Twitter" not in result.body
    assert result.byline == ("Jürgen Müller",)
    assert "The council said" in result.body
    assert_lossless(odd, result)


def test_a_few_control_characters_are_kept_many_are_binary():
    text, result = cleaned(ARTICLE.replace("next week", "next\x07 week\x00").encode())
    assert "next\x07 week\x00" in result.body
    assert_lossless(text, result)
    with pytest.raises(InputError, match="binary data"):
        decode(b"Hello " + bytes(range(1, 32)) * 20)
    with pytest.raises(InputError, match="binary data"):
        decode(bytes(range(256)) * 20)


@pytest.mark.parametrize("data,message", [
    (b"", "empty input"), (b" \n\r\n\t ", "empty input"), ("\ufeff  \n".encode("utf-8"), "empty input"),
    (bytes(random.Random(5).randrange(128, 256) for _ in range(300)),
     "invalid UTF-8, and no other text encoding fits"),
])
def test_what_cannot_be_text_is_an_error_naming_the_cause(data, message):
    with pytest.raises(InputError, match=message):
        decode(data)
    assert message in document_from_bytes("bad", data).error


def test_a_jsonl_file_may_start_with_a_byte_order_mark():
    data = b'\xef\xbb\xbf{"id": "a", "text": "Hello there. The minister resigned on Monday."}\n'
    (doc,) = jsonl_documents(io.BytesIO(data), "f")
    assert doc.error is None and doc.id == "a"
