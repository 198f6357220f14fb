"""The one way this project makes a PDF: render_pdf(template_name, context) -> bytes.

- Templates live under templates/reports/ and are rendered by Django first; WeasyPrint
  then lays the HTML out. Relative URLs in those templates (the fonts) resolve against our
  own static/ folder.
- WeasyPrint fetches nothing else: StaticOnlyFetcher serves files inside our static folders
  from disk and refuses every other URL (http, https, file outside static/, data, ...).
- Copy-and-paste and search work on Thai: WeasyPrint maps each glyph to the text of the
  first cluster it met, so after one "ำ" (which HarfBuzz draws as NIKHAHIT + SARA AA) every
  "า" of the document read back as "ำ". fix_to_unicode() maps each glyph to its own
  character(s) instead; "ำ" then reads back as "ํา", which looks the same.
- A content-hash cache: the key is the sha256 of the rendered HTML plus the versions of
  the things that change the output without changing the HTML (the fonts, WeasyPrint, this
  module's CACHE_VERSION). PDFs are kept in the default storage under reports-cache/<key>.pdf,
  so several app servers sharing one S3 bucket share the cache too.
"""

import datetime as dt
import hashlib
import io
import logging
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from fontTools import agl
from fontTools.ttLib import TTFont
from weasyprint.text.fonts import get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kpi_tracker.lib.thai import to_thai_digits

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO ("Step 5 - Creating layout - Page 3"); keep its warnings only.

# Bump when a change here alters the PDFs made from the same HTML.
CACHE_VERSION = "2"
CACHE_PREFIX = "reports-cache"

_CONTENT_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


class ResourceRefused(ValueError):
    """A template asked WeasyPrint for something outside our static files."""


def static_dirs() -> list[Path]:
    return [Path(d).resolve() for d in settings.STATICFILES_DIRS]


def static_base_url() -> str:
    """The base URL of the PDF templates: relative URLs name files in our static folder."""
    return static_dirs()[0].as_uri() + "/"


class StaticOnlyFetcher(URLFetcher):
    """Serves file:// URLs inside our static folders, from disk; refuses everything else.

    Raising makes WeasyPrint log a warning and leave the resource out, so a stray URL in a
    template cannot reach the network or read /etc/passwd.
    """

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self.allowed_path(url)
        content_type = _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def allowed_path(url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"PDF templates may use only our static files, not {url!r}")
        path = Path(unquote(parts.path)).resolve()
        for root in static_dirs():
            if path.is_relative_to(root) and path.is_file():
                return path
        raise ResourceRefused(f"PDF templates may use only our static files, not {url!r}")


# Text between tags, outside <style> and outside elements marked data-keep-digits (file
# names, hashes: identifiers that must read the same as elsewhere), references left alone.
_KEPT_BLOCK = re.compile(
    r"(<style\b.*?</style>|<(\w+)\b[^>]*\bdata-keep-digits\b[^>]*>.*?</\2>)", re.DOTALL | re.IGNORECASE
)
_TAG_OR_REF = re.compile(r"(<[^>]*>|&#?\w+;)")


def thai_digits_in_text(html: str) -> str:
    """Arabic digits to Thai digits in the text of the page only.

    Tags and their attributes (URLs, SVG coordinates), <style> blocks, elements marked
    data-keep-digits and character references such as &#x27; keep their digits.
    """
    out = []
    pieces = _KEPT_BLOCK.split(html)
    # split() returns text, then the two groups of each match: (kept block, its tag name).
    for i in range(0, len(pieces), 3):
        block = pieces[i]
        for piece in _TAG_OR_REF.split(block):
            out.append(piece if piece.startswith(("<", "&")) else to_thai_digits(piece))
        if i + 1 < len(pieces):
            out.append(pieces[i + 1])
    return "".join(out)


@lru_cache(maxsize=1)
def assets_version() -> str:
    """A hash of the fonts the PDF templates embed: a new font file means new PDFs."""
    digest = hashlib.sha256()
    for root in static_dirs():
        for font in sorted((root / "fonts").rglob("*.ttf")):
            digest.update(font.name.encode())
            digest.update(font.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(html: str) -> str:
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, weasyprint.__version__, assets_version()):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def render_html(template_name: str, context: dict, *, thai_digits: bool = False) -> str:
    """The template's HTML; with thai_digits, page numbers and every digit in the text are Thai.

    Always in Thai: these are official documents filed in E-saraban, whatever language the
    person exporting them reads the interface in.
    """
    context = {**context, "thai_digits": thai_digits, "counter_style": "thai" if thai_digits else "decimal"}
    with translation.override("th"):
        html = render_to_string(template_name, context)
    return thai_digits_in_text(html) if thai_digits else html


_glyph_text_cache: dict[str, dict[int, str]] = {}


def glyph_texts(font_bytes: bytes, index: int = 0) -> dict[int, str]:
    """Glyph id -> the characters the glyph stands for, from the font's cmap and its glyph names.

    Variants and ligatures are not in the cmap, but their names say what they are
    ("uni0E49.small" is U+0E49, "uni0E4D0E49" is U+0E4D U+0E49).
    """
    key = hashlib.sha256(font_bytes).hexdigest() + f"#{index}"
    if key not in _glyph_text_cache:
        font = TTFont(io.BytesIO(font_bytes), fontNumber=index, lazy=True)
        order = font.getGlyphOrder()
        texts = {gid: text for gid, name in enumerate(order) if (text := agl.toUnicode(name))}
        for codepoint, name in sorted((font.getBestCmap() or {}).items()):
            texts.setdefault(font.getGlyphID(name), chr(codepoint))
        _glyph_text_cache[key] = texts
    return _glyph_text_cache[key]


def fix_to_unicode(document, pdf: pydyf.PDF) -> None:
    """A WeasyPrint finisher: rewrite each font's ToUnicode map glyph by glyph (see the module docstring)."""
    streams = {}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and "ToUnicode" in obj and "BaseFont" in obj:
            streams[obj["BaseFont"]] = pdf.objects[int(obj["ToUnicode"].split()[0])]
    for font in document.fonts.values():
        stream = streams.get(font.name)
        if stream is None or font.bitmap or not font.to_unicode or b"endcodespacerange" not in stream.stream:
            continue
        texts = glyph_texts(get_hb_object_data(font.hb_face), font.index)
        mapping = {gid: texts.get(gid) or text for gid, text in font.to_unicode.items()}
        head = stream.stream[: stream.stream.index(b"endcodespacerange") + 1]
        body = []
        items = sorted(mapping.items())
        for start in range(0, len(items), 100):
            batch = items[start : start + 100]
            body.append(f"{len(batch)} beginbfchar".encode())
            body.extend(f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>".encode() for gid, text in batch)
            body.append(b"endbfchar")
        tail = [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
        stream.stream[:] = head + body + tail


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint alone: lay the HTML out and write the PDF, fetching only our static files."""
    document = weasyprint.HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(finisher=fix_to_unicode)


def render_pdf(template_name: str, context: dict, *, thai_digits: bool = False, cache: bool = True) -> bytes:
    """The PDF of a named template under templates/reports/, from cache when the HTML is unchanged."""
    html = render_html(template_name, context, thai_digits=thai_digits)
    if not cache:
        return html_to_pdf(html)
    name = f"{CACHE_PREFIX}/{cache_key(html)}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            pdf = cached.read()
        # A file another server is still writing (local storage), or a broken one, is never
        # served: it is replaced (a writer still busy with it writes to the unlinked file).
        if pdf.rstrip().endswith(b"%%EOF"):
            return pdf
        default_storage.delete(name)
    pdf = html_to_pdf(html)
    try:
        saved = default_storage.save(name, ContentFile(pdf))
        if saved != name:
            # Another server rendered the same PDF at the same moment; keep one copy.
            default_storage.delete(saved)
    except OSError:
        logger.exception("Could not store %s in the PDF cache", name)
    return pdf


def cache_prune(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete cached PDFs stored more than older_than ago; returns how many. A PDF still wanted is made again once."""
    cutoff = (now or timezone.now()) - older_than
    try:
        _, names = default_storage.listdir(CACHE_PREFIX)
    except FileNotFoundError:
        return 0
    removed = 0
    for file_name in names:
        name = f"{CACHE_PREFIX}/{file_name}"
        if file_name.endswith(".pdf") and default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            removed += 1
    return removed
