"""The English catalogue (locale/en): complete, and used once a user switches to English."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def catalogue_entries():
    """Each entry of the .po as (flags, {field: text}); the header (msgid "") is left out."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").strip().split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := FIELD.match(line):
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries.append((flags, fields))
    return entries


def test_the_catalogue_has_entries():
    assert len(catalogue_entries()) > 400
    assert MO_FILE.exists(), "compile with: manage.py compilemessages --ignore=.venv"


def test_every_entry_is_translated():
    untranslated = [
        fields["msgid"]
        for _, fields in catalogue_entries()
        if not all(text.strip() for key, text in fields.items() if key.startswith("msgstr"))
        or not any(key.startswith("msgstr") for key in fields)
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy():
    fuzzy = [fields["msgid"] for flags, fields in catalogue_entries() if "fuzzy" in flags]
    assert fuzzy == []
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")


def test_plural_entries_have_both_english_forms():
    for _, fields in catalogue_entries():
        if "msgid_plural" in fields:
            assert fields.get("msgstr[0]") and fields.get("msgstr[1]"), fields["msgid"]


def test_placeholders_are_kept():
    placeholder = re.compile(r"%\([a-z_]+\)s|%[sd]")
    for _, fields in catalogue_entries():
        expected = sorted(placeholder.findall(fields["msgid"]))
        for key, text in fields.items():
            if key.startswith("msgstr"):
                assert sorted(placeholder.findall(text)) == expected, fields["msgid"]


def test_translations_are_english():
    thai = re.compile(r"[\u0e00-\u0e7f]")
    # The only Thai allowed: a sample Thai document number and the names of Thai numerals.
    allowed = {"เช่น กษ ๐๕๐๙/๑๒๓", "เลขไทย (๐-๙)"}
    for _, fields in catalogue_entries():
        if fields["msgid"] in allowed:
            continue
        for key, text in fields.items():
            if key.startswith("msgstr"):
                assert not thai.search(text), (fields["msgid"], text)


@pytest.fixture
def english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def test_the_unit_page_is_in_english(cast, login, english):
    client = login(cast.staff_a)

    body = client.get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()

    assert 'lang="en"' in body
    for word in ("Level", "Weighted score", "Log out", "My unit", "Step"):
        assert word in body, word
    for word in ("ออกจากระบบ", "หน่วยงานของฉัน", "คะแนนถ่วงน้ำหนัก", "ขั้นตอนที่"):
        assert word not in body, word


def test_the_login_page_is_in_english(db, english):
    body = english.get(reverse("login")).content.decode()

    assert "Log in" in body
    assert "Indicator tracking system" in body
    assert "เข้าสู่ระบบ" not in body


def test_thai_stays_the_default(cast, login):
    client = login(cast.staff_a)

    body = client.get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()

    assert "ออกจากระบบ" in body
    assert "Log out" not in body


def test_dates_read_in_english_with_the_buddhist_era(client, cast, before_deadline):
    client.force_login(cast.staff_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()
    assert "15 September B.E. 2563" in body and "15 กันยายน 2563" not in body  # the rubric text itself stays Thai
    assert "weight 5%" in body
