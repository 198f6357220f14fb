"""manage.py reports_cache_prune: old cached PDFs go, recent ones stay."""

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from milestones.tests.report_helpers import use_own_storage


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


def cached(name: str, age_days: int) -> str:
    path = default_storage.save(f"reports-cache/{name}.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    stamp = (dt.datetime.now() - dt.timedelta(days=age_days)).timestamp()
    os.utime(default_storage.path(path), (stamp, stamp))
    return path


def test_it_deletes_only_pdfs_older_than_the_days_given():
    old, recent = cached("old", 40), cached("recent", 2)
    out = io.StringIO()
    call_command("reports_cache_prune", "--days", "30", stdout=out)
    assert not default_storage.exists(old) and default_storage.exists(recent)
    assert "1" in out.getvalue()


def test_it_is_a_no_op_without_a_cache_folder():
    out = io.StringIO()
    call_command("reports_cache_prune", stdout=out)
    assert "0" in out.getvalue()


def test_negative_days_are_refused():
    with pytest.raises(CommandError):
        call_command("reports_cache_prune", "--days", "-1")
