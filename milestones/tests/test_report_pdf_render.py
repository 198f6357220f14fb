"""kpi_tracker.lib.pdf: the fetcher that allows only our static files, Thai digits, fonts and the cache."""

import logging
import subprocess
import tempfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from kpi_tracker.lib import pdf as pdf_lib
from kpi_tracker.lib.pdf import ResourceRefused, StaticOnlyFetcher, render_pdf, thai_digits_in_text
from milestones.tests.report_helpers import embedded_fonts, glyph_problems, pdf_text, use_own_storage

STACKED = "หนี้ นี้ ลิ้น เยิ้ม"


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


@pytest.fixture
def template(settings, tmp_path):
    """A throw-away template directory searched first, so tests can render any HTML through render_pdf."""
    # Changing TEMPLATES through the settings fixture makes Django rebuild its template engines.
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def write(name: str, body: str) -> str:
        (tmp_path / name).write_text(body, encoding="utf-8")
        return name

    return write


def page(body: str, head: str = "") -> str:
    return (
        '{% extends "reports/_pdf_base.html" %}{% block style %}' + head + "{% endblock %}"
        "{% block body %}" + body + "{% endblock %}"
    )


def test_it_refuses_http_urls():
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch("http://example.com/logo.png")
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch("https://example.com/style.css")


def test_it_refuses_files_outside_static():
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch("file:///etc/passwd")


def test_it_refuses_climbing_out_of_static_with_dot_dot(settings):
    static = settings.STATICFILES_DIRS[0]
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch(f"file://{static}/../manage.py")


def test_it_serves_our_font_from_disk(settings):
    response = StaticOnlyFetcher().fetch(pdf_lib.static_base_url() + "fonts/sarabun/Sarabun-Regular.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert response.content_type == "font/ttf"


def test_a_template_naming_http_and_passwd_gets_neither(template, caplog, monkeypatch):
    opened = []
    real_fetch = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        opened.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    name = template(
        "evil.html",
        page(
            '<p>ok</p><img src="http://127.0.0.1:9/tracker.png"><img src="file:///etc/passwd">',
            head='@import url("file:///etc/passwd"); body { background: url("http://127.0.0.1:9/bg.png"); }',
        ),
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        result = render_pdf(name, {}, cache=False)
    assert "http://127.0.0.1:9/tracker.png" in opened and "file:///etc/passwd" in opened
    refused = [r.getMessage() for r in caplog.records if "ResourceRefused" in r.getMessage()]
    assert any("http://127.0.0.1:9/tracker.png" in m for m in refused)
    assert any("/etc/passwd" in m for m in refused)
    assert "root:" not in pdf_text(result)


def test_stacked_marks_render_with_the_embedded_font_and_no_missing_glyphs(template):
    name = template("marks.html", page(f"<p>{STACKED}</p><p>A วันที่</p><p><strong>{STACKED} A วันที่</strong></p>"))
    result = render_pdf(name, {}, cache=False)
    text = pdf_text(result)
    assert STACKED in text
    assert "A วันที่" in text
    assert glyph_problems(result) == []
    fonts = embedded_fonts(result)
    assert fonts and all(f["file_key"] in ("/FontFile2", "/FontFile3") for f in fonts)
    assert all("Sarabun" in f["name"] for f in fonts)  # nothing fell back to a system font


def test_the_checks_catch_a_latin_letter_drawn_with_a_thai_glyph(template):
    """The trap the full TTF avoids: two subset woff files of one family swap glyphs ("A" drawn as "ก")."""
    name = template(
        "subsets.html",
        "<html><head><style>"
        '@font-face { font-family: S; src: url("fonts/sarabun/sarabun-thai-400-normal.woff");'
        " unicode-range: U+0E01-0E5B; }"
        '@font-face { font-family: S; src: url("fonts/sarabun/sarabun-latin-400-normal.woff");'
        " unicode-range: U+0000-00FF; }"
        "body { font-family: S; }</style></head><body><p>A วันที่</p></body></html>",
    )
    result = render_pdf(name, {}, cache=False)
    assert glyph_problems(result) or "A วันที่" not in pdf_text(result)


def test_thai_digits_spare_elements_marked_keep_digits():
    html = '<td data-keep-digits>รูป 1.jpg</td><td>ข้อ 1</td><span class="x" data-keep-digits>ab12</span> 3'
    assert (
        thai_digits_in_text(html)
        == '<td data-keep-digits>รูป 1.jpg</td><td>ข้อ ๑</td><span class="x" data-keep-digits>ab12</span> ๓'
    )


def test_thai_digits_change_text_but_not_tags_styles_or_references():
    html = '<style>p { margin: 10pt }</style><p class="c2"><a href="/x/12/">ข้อ 12 &#x27;3&#39;</a></p>'
    assert thai_digits_in_text(html) == (
        '<style>p { margin: 10pt }</style><p class="c2"><a href="/x/12/">ข้อ ๑๒ &#x27;๓&#39;</a></p>'
    )


def test_a_repeated_render_comes_from_the_cache(template, monkeypatch):
    name = template("cached.html", page("<p>{{ value }}</p>"))
    calls = []
    real = pdf_lib.html_to_pdf
    monkeypatch.setattr(pdf_lib, "html_to_pdf", lambda html: calls.append(html) or real(html))
    first = render_pdf(name, {"value": "หนึ่ง"})
    second = render_pdf(name, {"value": "หนึ่ง"})
    assert first == second and len(calls) == 1
    third = render_pdf(name, {"value": "สอง"})
    assert third != first and len(calls) == 2
    html = pdf_lib.render_html(name, {"value": "หนึ่ง"})
    assert default_storage.exists(f"reports-cache/{pdf_lib.cache_key(html)}.pdf")


def test_the_cache_key_changes_with_the_fonts(monkeypatch):
    before = pdf_lib.cache_key("<p>x</p>")
    monkeypatch.setattr(pdf_lib, "assets_version", lambda: "another-font")
    assert pdf_lib.cache_key("<p>x</p>") != before


def test_without_cache_every_render_calls_weasyprint(template, monkeypatch):
    name = template("nocache.html", page("<p>x</p>"))
    calls = []
    real = pdf_lib.html_to_pdf
    monkeypatch.setattr(pdf_lib, "html_to_pdf", lambda html: calls.append(1) or real(html))
    render_pdf(name, {}, cache=False)
    render_pdf(name, {}, cache=False)
    assert len(calls) == 2


def test_sara_am_does_not_turn_every_sara_aa_into_sara_am(template):
    """WeasyPrint alone maps the SARA AA glyph to "ำ" once it met it inside "ำ"; ours maps it to "า"."""
    name = template("am.html", page("<p>ดำเนินงาน ตามที่ กำหนด มาตรฐาน น้ำ</p>"))
    raw = pdf_lib.render_pdf(name, {}, cache=False)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(raw)
        f.flush()
        text = subprocess.run(["pdftotext", "-raw", f.name, "-"], capture_output=True, check=True).stdout.decode()
    assert "ตามที่" in text and "มาตรฐาน" in text
    assert "ดําเนินงาน" in text and "นํ้า" in text  # ำ reads back as NIKHAHIT + SARA AA
    assert "ดำเนินงาน ตามที่ กำหนด มาตรฐาน น้ำ" in pdf_text(raw)


def test_a_half_written_cache_file_is_not_served(template, monkeypatch):
    name = template("half.html", page("<p>x</p>"))
    html = pdf_lib.render_html(name, {})
    default_storage.save(f"reports-cache/{pdf_lib.cache_key(html)}.pdf", ContentFile(b"%PDF-1.7 trunc"))
    result = render_pdf(name, {})
    assert result.startswith(b"%PDF") and result.rstrip().endswith(b"%%EOF")
    with default_storage.open(f"reports-cache/{pdf_lib.cache_key(html)}.pdf", "rb") as cached:
        assert cached.read() == result  # the broken file was replaced
