"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live_server.

- chromium comes from Debian (scripts/e2e-deps.sh, run by `make test`); `playwright install`
  is never used.
- live_server answers from a thread with the test database, so every test here is
  transactional (live_server implies it) and the clock is real: the round's deadline
  (15 September 2563) is long past, so `unit_open` gives unit A an extension.
- When a test fails, every page it opened is saved to test-results/ as a PNG and an HTML file.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from conftest import PASSWORD
from tests.fixtures.documents import one_page_pdf

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One chromium for the e2e package, stopped when its last test is done.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started;
    the ORM calls the fixtures make here are ordinary blocking calls, so Django's async-safety
    guard is lifted for exactly that time.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/e2e-deps.sh` (make test does)", pytrace=False)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Browser, live_server, request):
    """open_page() gives a page in a fresh browser context (its own cookies: one person each).

    On failure every page of every context the test opened is saved under test-results/.
    A page that throws a JavaScript error or has something refused by the Content-Security-Policy
    fails the test too (the CSP has no 'unsafe-inline': an inline script or style would show here).
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def _watch(message) -> None:
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text):
            problems.append(f"{message.location.get('url', '')}: {message.text}")

    def _open() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="th-TH", timezone_id="Asia/Bangkok", accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", _watch)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
        return page

    yield _open
    reports = [getattr(request.node, f"e2e_report_{when}", None) for when in ("setup", "call")]
    failed = any(report is not None and report.failed for report in reports)
    if failed:
        for i, context in enumerate(contexts):
            _save_pages(context, f"{request.node.nodeid}-{i}")
    for context in contexts:
        context.close()
    if problems and not failed:
        pytest.fail("the browser reported:\n" + "\n".join(problems), pytrace=False)


def _save_pages(context: BrowserContext, nodeid: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    for i, page in enumerate(context.pages):
        try:
            page.screenshot(path=str(RESULTS_DIR / f"{stem}-{i}.png"), full_page=True)
            (RESULTS_DIR / f"{stem}-{i}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"e2e: could not save page {i} of {nodeid}: {exc}")


@pytest.fixture
def page(open_page) -> Page:
    return open_page()


@pytest.fixture
def unit_open(cast):
    """Unit A granted an extension to 60 days from today (through the real extension service),
    so its staff can upload and submit although the round's deadline has passed."""
    from milestones.services import extension_decide, extension_request

    extension = extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="ทดสอบผ่านเบราว์เซอร์")
    extension_decide(
        extension=extension, user=cast.reviewer, grant=True, new_deadline=dt.date.today() + dt.timedelta(days=60)
    )
    cast.assessment_a.refresh_from_db()
    return cast


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(user.username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.wait_for_url(re.compile(r"/login/"))


def make_pdf(path: Path, label: str) -> Path:
    """A small valid one-page PDF at `path` (the name may be Thai); `label` makes its bytes unique."""
    path.write_bytes(one_page_pdf(label))
    return path
