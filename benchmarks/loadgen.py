"""The load driver: simulated users over keep-alive HTTP connections, one thread each.

Usage: python benchmarks/loadgen.py PLAN.json OUT.json

Runs in its own process (the server under test is gunicorn in another). No Django here: the
plan (written by benchmarks/_loadsite.py) carries the accounts and URLs. Each user logs in
through the real login form and then loops over its role's actions with a think time between
requests, until the run's time is up. Every request is recorded with its kind (page, upload,
submit, review, pdf, download, login, ceiling), status, latency and wall-clock time; uploads
answered with success are listed with the sha256 of what was sent, so the fault run can check
nothing acknowledged was lost.

Traffic goes only to the plan's base URL, which must be on 127.0.0.1. Every loop is bounded by
the run's deadline and by a request count.
"""

import hashlib
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.documents import one_page_pdf  # noqa: E402  (standard library only)

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DOWNLOAD_RE = re.compile(r'href="(/evidence/\d+/download/)"')
LOCKED_STEP_RE = re.compile(r'status-badge status-(submitted|accepted)"')
REVIEW_STEP_RE = re.compile(r'href="(/review/steps/\d+/)"')
ALREADY_DECIDED = "ได้รับการพิจารณาแล้ว"
THAI_RE = re.compile("[\u0e01-\u0e5b]")
MAX_REQUESTS_PER_USER = 100_000
MAX_REDIRECTS = 5


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.records: list[list] = []  # [wall_time, kind, name, status, ms, ok, thai_503_page]
        self.uploads: list[dict] = []  # uploads answered with success
        self.upload_failures: list[dict] = []  # uploads answered otherwise: when, status, Thai message
        self.logins_done = 0
        self.expected_users = 0
        self.ready_file = ""

    def add(self, kind: str, name: str, status: int, ms: float, ok: bool, started: float, thai_503: bool) -> None:
        with self.lock:
            self.records.append([round(started, 4), kind, name, status, round(ms, 2), ok, thai_503])

    def logged_in(self, ok: bool) -> None:
        """Count finished logins; when every user is done, touch the plan's ready_file (if any)
        so a benchmark can start its fault once everybody is at work."""
        with self.lock:
            self.logins_done += 1
            if self.logins_done == self.expected_users and self.ready_file:
                with open(self.ready_file, "w") as f:
                    f.write(f"{time.time()}\n")

    def uploaded(self, **details) -> None:
        with self.lock:
            self.uploads.append(details)

    def upload_failed(self, **details) -> None:
        with self.lock:
            self.upload_failures.append(details)


class User:
    """One simulated person: a cookie jar and a keep-alive connection to the server."""

    def __init__(self, plan: dict, recorder: Recorder, username: str, index: int):
        parts = urllib.parse.urlsplit(plan["base"])
        if parts.hostname != "127.0.0.1":
            raise SystemExit("loadgen drives 127.0.0.1 only")
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://127.0.0.1:{self.port}"  # as seen through the TLS-terminating proxy
        self.plan = plan
        self.recorder = recorder
        self.username = username
        self.client_ip = f"10.{index // 250}.{index % 250}.{1 + index % 200}"
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.csrf = ""
        self.requests = 0
        self.rng = random.Random(index)

    # --- HTTP -------------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def raw(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        self.requests += 1
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            "Accept-Language": "th",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            headers.setdefault("Origin", self.origin)
            headers.setdefault("Referer", self.origin + path)
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection as we reused it: a browser
                # retries on a fresh connection, and so do we (once).
                self.close()
                if not reused or attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or cookie_value in ('""', ""):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = cookie_value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response, data

    def call(
        self,
        kind: str,
        name: str,
        method: str,
        path: str,
        *,
        body=None,
        headers=None,
        ok=(200,),
        follow=True,
        expect=None,
    ):
        """One logical request (redirects followed and timed with it). Returns (status, text, final path, good).

        With `expect`, the request counts as good only if the final page contains that text
        (a success message after a POST that redirects, for instance).
        """
        started_wall, started = time.time(), time.perf_counter()
        status, data, location = 0, b"", path
        try:
            status, response, data = self.raw(method, path, body, headers)
            redirects = 0
            while follow and status in (301, 302, 303) and redirects < MAX_REDIRECTS:
                target = urllib.parse.urlsplit(response.getheader("Location", "/"))
                location = target.path + (f"?{target.query}" if target.query else "")
                if target.netloc and target.port not in (None, self.port):
                    # A presigned download on the S3 endpoint (127.0.0.1 only), fetched as a
                    # browser would: another connection, no cookies.
                    status, data = self.external(target)
                    break
                status, response, data = self.raw("GET", location)
                redirects += 1
        except (OSError, http.client.HTTPException):
            status = 0
        ms = (time.perf_counter() - started) * 1000
        text = data.decode("utf-8", "replace") if data else ""
        expected = (expect,) if isinstance(expect, str) else expect
        good = status in ok and (expected is None or any(e in text for e in expected))
        if kind != "login" and location.startswith(self.plan["urls"]["login"]):
            good = False  # sent to the login page: the person was logged out
        thai_503 = status == 503 and THAI_RE.search(text) is not None
        self.recorder.add(kind, name, status, ms, good, started_wall, thai_503)
        match = CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)
        return status, text, location, good

    def external(self, target) -> tuple[int, bytes]:
        if target.hostname != "127.0.0.1":
            raise SystemExit("loadgen follows redirects to 127.0.0.1 only")
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            conn.request("GET", target.path + (f"?{target.query}" if target.query else ""))
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post_form(self, kind: str, name: str, path: str, fields: dict, **kw):
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **fields}, doseq=True).encode()
        return self.call(
            kind, name, "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, **kw
        )

    def post_multipart(
        self, kind: str, name: str, path: str, fields: dict, files: list[tuple[str, str, bytes, str]], **kw
    ):
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {"csrfmiddlewaretoken": self.csrf, **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        for field, filename, content, content_type in files:
            # Browsers send the name as raw UTF-8 inside the quotes (only quotes and newlines escaped).
            safe = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{safe}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call(
            kind,
            name,
            "POST",
            path,
            body=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            **kw,
        )

    # --- actions ----------------------------------------------------------------------------
    def login(self) -> bool:
        urls = self.plan["urls"]
        self.call("login", "login-form", "GET", urls["login"])
        status, _, final, _ = self.post_form(
            "login", "login", urls["login"], {"username": self.username, "password": self.plan["password"]}
        )
        return status == 200 and not final.startswith(urls["login"])

    def think(self) -> None:
        low, high = self.plan.get("think_s", [0.5, 2.0])
        time.sleep(self.rng.uniform(low, high))


# --- roles ----------------------------------------------------------------------------------
class StaffWork:
    """What one unit's staff member does: fill in step 1, upload evidence, submit step 1, keep
    adding evidence to step 2, download what they uploaded, now and then export the unit's report."""

    def __init__(self, user: User, account: dict):
        self.user, self.account = user, account
        self.urls = user.plan["urls"]
        self.saved = False
        self.submitted = False
        self.uploads = 0
        self.downloads: list[str] = []

    def url(self, name: str, **kw) -> str:
        return self.urls[name].format(pk=self.account["assessment"], **kw)

    def step(self) -> int:
        return 2 if self.submitted else 1

    def save_step1(self) -> None:
        fields = {"summary": "ทบทวนกระบวนการงานทั้งหมดของหน่วยงานแล้ว"}
        _, _, _, good = self.user.post_form("save", "step-save", self.url("step_save", number=1), fields)
        self.saved = good

    def upload(self) -> None:
        number = self.step()
        self.uploads += 1
        name = f"หลักฐาน-{self.user.username}-{self.uploads}-{uuid.uuid4().hex[:6]}.pdf"
        content = one_page_pdf(f"{self.user.username} {self.uploads} {uuid.uuid4().hex}")
        started = time.time()
        status, text, _, good = self.user.post_multipart(
            "upload",
            "evidence-upload",
            self.url("upload", number=number),
            {"evidence_date": "2020-08-01", "description": "ทดสอบภาระ"},
            [("files", name, content, "application/pdf")],
            expect=f"อัปโหลด “{name}” แล้ว",
        )
        if good:  # acknowledged to the user: it must never be lost
            self.user.recorder.uploaded(
                assessment=self.account["assessment"],
                step=number,
                name=name,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                at=time.time(),
            )
        else:  # refused: with the Thai message about this file, or anything else (a 500, no answer)
            self.user.recorder.upload_failed(
                started=started, at=time.time(), status=status, thai=f"ไม่รับไฟล์ “{name}”" in text, name=name
            )

    def submit(self) -> None:
        path = self.url("submit", number=1)
        _, _, _, good = self.user.post_form("submit", "step-submit", path, {}, expect="ส่งขั้นตอนที่ 1 แล้ว")
        self.submitted = good

    def step_page(self) -> None:
        number = self.step()
        _, text, _, good = self.user.call("page", "step-page", "GET", self.url("step", number=number))
        self.downloads = DOWNLOAD_RE.findall(text)[-5:] or self.downloads
        if good and number == 1 and LOCKED_STEP_RE.search(text):
            # Submitted already (say the answer to our submit was lost in an outage): as a
            # person would, go on with the next step rather than submit again.
            self.submitted = True

    def download(self) -> None:
        if self.downloads:
            self.user.call("download", "evidence-download", "GET", self.user.rng.choice(self.downloads))

    def report(self) -> None:
        if "unit_report" in self.urls:
            self.user.call("pdf", "unit-report", "GET", self.url("unit_report"))

    def loop(self, deadline: float) -> None:
        user = self.user
        while time.time() < deadline and user.requests < MAX_REQUESTS_PER_USER:
            user.call("page", "unit-page", "GET", self.account["unit_url"])
            user.think()
            self.step_page()
            user.think()
            if not self.saved and not self.submitted:
                self.save_step1()
                user.think()
            for action in (self.upload, self.download):
                if time.time() >= deadline:
                    return
                action()
                user.think()
            if self.saved and not self.submitted and self.uploads and time.time() < deadline:
                self.submit()
                user.think()
            if user.rng.random() < user.plan.get("staff_pdf_share", 0.1):
                self.report()
                user.think()


def staff_loop(user: User, account: dict, deadline: float) -> None:
    StaffWork(user, account).loop(deadline)


class ReviewerWork:
    """A reviewer: the dashboard, the queue, one submitted step read and decided (mostly accepted,
    sometimes returned with a comment), now and then a unit's report or the score export."""

    def __init__(self, user: User):
        self.user = user
        self.urls = user.plan["urls"]

    def decide(self) -> None:
        user = self.user
        _, text, _, good = user.call("page", "review-queue", "GET", self.urls["review_queue"])
        steps = REVIEW_STEP_RE.findall(text) if good else []
        user.think()
        if not steps:
            return
        path = user.rng.choice(steps[:20])
        user.call("page", "review-step", "GET", path)
        user.think()
        fields = {"kind": "accepted", "comment": ""}
        if user.rng.random() < 0.25:
            fields = {"kind": "returned", "comment": "กรุณาแนบรายงานผลการทบทวนที่ลงนามแล้ว"}
        # Another reviewer may decide the same step first: the app says so, which is a right answer.
        user.post_form("review", "review-decide", path + "decide/", fields, expect=("alert-success", ALREADY_DECIDED))

    def loop(self, deadline: float) -> None:
        user = self.user
        while time.time() < deadline and user.requests < MAX_REQUESTS_PER_USER:
            user.call("page", "dashboard", "GET", self.urls["overview"])
            user.think()
            self.decide()
            user.think()
            if "unit_report" in self.urls and user.rng.random() < user.plan.get("reviewer_pdf_share", 0.2):
                staff = user.rng.choice(user.plan["staff"])
                user.call("pdf", "unit-report", "GET", self.urls["unit_report"].format(pk=staff["assessment"]))
                user.think()
            if user.rng.random() < 0.1:
                user.call("export", "scores-csv", "GET", self.urls["scores_csv"])
                user.think()


def reviewer_loop(user: User, deadline: float) -> None:
    ReviewerWork(user).loop(deadline)


def viewer_loop(user: User, deadline: float) -> None:
    """An executive: the dashboard now and then, the department summary PDF once a minute."""
    urls = user.plan["urls"]
    next_summary = time.time()
    while time.time() < deadline and user.requests < MAX_REQUESTS_PER_USER:
        user.call("page", "dashboard", "GET", urls["overview"])
        user.think()
        if time.time() >= next_summary:
            user.call("pdf", "summary-pdf", "GET", urls["summary_pdf"])
            next_summary = time.time() + 60
            user.think()


def run_user(plan: dict, recorder: Recorder, role: str, account, index: int, start_at: float, deadline: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    username = account["username"] if role == "staff" else account
    user = User(plan, recorder, username, index)
    tries = 0
    while not user.login():
        tries += 1
        if tries >= 20 or time.time() >= deadline:
            recorder.logged_in(False)
            return
        time.sleep(1.0)
    recorder.logged_in(True)
    loop = {"staff": lambda: staff_loop(user, account, deadline), "reviewer": lambda: reviewer_loop(user, deadline)}
    loop["viewer"] = lambda: viewer_loop(user, deadline)
    try:
        loop[role]()
    finally:
        user.close()


def ceiling(plan: dict, recorder: Recorder) -> None:
    """Closed loop on the trivial view, no think time: what the stack itself can do."""
    spec = plan["ceiling"]
    deadline = time.time() + spec["seconds"]

    def hammer(index: int) -> None:
        user = User(plan, recorder, "ceiling", 10_000 + index)
        while time.time() < deadline and user.requests < MAX_REQUESTS_PER_USER:
            user.call("ceiling", "healthz", "GET", plan["urls"]["healthz"])
        user.close()

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(spec["threads"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(spec["seconds"] + 60)


def main(plan_path: str, out_path: str) -> None:
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    recorder = Recorder()
    recorder.expected_users = int(plan["users"])
    recorder.ready_file = plan.get("ready_file", "")
    n_users = int(plan["users"])
    n_reviewers = int(plan["reviewer_users"])
    started = time.time()
    ramp = float(plan["ramp_s"])
    deadline = started + ramp + float(plan["duration_s"])
    threads = []
    for i in range(n_users):
        if i == n_reviewers:
            role, account = "viewer", plan["viewer"]
        elif i < n_reviewers:
            role, account = "reviewer", plan["reviewers"][i % len(plan["reviewers"])]
        else:
            role, account = "staff", plan["staff"][(i - n_reviewers - 1) % len(plan["staff"])]
        start_at = started + ramp * i / max(1, n_users)
        threads.append(
            threading.Thread(target=run_user, args=(plan, recorder, role, account, i, start_at, deadline), daemon=True)
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.time()) + 90)
    measured_from = started + ramp
    load_end = time.time()
    if plan.get("ceiling"):
        ceiling(plan, recorder)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(
            {
                "measured_from": measured_from,
                "load_end": load_end,
                "records": recorder.records,
                "uploads": recorder.uploads,
                "upload_failures": recorder.upload_failures,
            },
            f,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
