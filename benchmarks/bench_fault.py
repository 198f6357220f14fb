"""Fault runs: something the site depends on fails while 50 users work on the production stack.

The same site as bench_load (gunicorn, production settings, PostgreSQL, 500 units), one database
per fault. FAULTS (comma-separated, default all) picks the runs; each prints its own figures:

postgres  PostgreSQL stopped FAULT_AT_S seconds into the load (`pg_ctlcluster ... stop -m fast`),
          left down FAULT_DOWN_S seconds and started again (always, try/finally). As root. It stops
          the machine's shared cluster: run it alone on a machine nobody else is testing on.
  fault_down_s, fault_down_503_thai, fault_down_other (answers during the outage that were not
  the Thai 503 page), fault_recovery_s (PostgreSQL accepting connections -> first page answered
  200; target <= 30), fault_errors_after (0), fault_uploads_acknowledged, fault_lost_uploads (0),
  fault_orphan_files, fault_missing_files, fault_check_evidence (ok).

s3        Evidence on S3 (moto's server, started here) reached through a TCP gate that the run
          closes for FAULT_S3_DOWN_S (10) seconds, dropping every open connection: the S3
          endpoint is gone, its data is not.
  fault_s3_down_s, fault_s3_uploads_during (uploads answered while it was down),
  fault_s3_thai_errors (of those, refused with the Thai message), fault_s3_other_errors (of
  those, anything else: a 500, no answer; target 0), fault_s3_lost (acknowledged uploads whose
  row or object is missing or differs; 0), fault_s3_orphans (objects with no row; 0),
  fault_s3_missing (rows with no object; 0), fault_s3_check_evidence (ok), fault_s3_recovery_s
  (endpoint back -> first upload acknowledged), fault_s3_page_errors (pages other than uploads
  and downloads that failed while it was down; 0).

disk      Local evidence on a small file system made for the run (a 256 MB tmpfs mounted on the
          evidence folder, as root), filled to the last byte for FAULT_DISK_FULL_S (10) seconds.
  fault_disk_full_s, fault_disk_full_uploads_during, fault_disk_full_thai_errors,
  fault_disk_full_other_errors (0), fault_disk_full_page_errors (the rest of the site keeps
  serving: 0), fault_disk_full_lost (0), fault_disk_full_orphans (stored files with no row and
  spool files left; 0), fault_disk_full_check_evidence (ok).

worker    A slow 8 MB upload sent by the run itself; once its spool file exists, the gunicorn
          worker holding it is found (/proc/<pid>/fd) and SIGKILLed.
  fault_killed_worker_found (1), fault_killed_worker_rows (rows of that upload: 0),
  fault_killed_worker_spool_left (its spool file after the kill: 1, nobody else cleans it),
  fault_killed_worker_swept (removed by `evidence_orphans --delete`: 1),
  fault_killed_worker_orphans (what `evidence_orphans` lists afterwards: 0),
  fault_killed_worker_check_evidence (ok), fault_killed_worker_other_errors (other users'
  requests that were on the killed worker: context).

Environment: FAULTS, FAULT_DURATION_S (60), FAULT_USERS (50), FAULT_UNITS (500), FAULT_AT_S (15,
counted from when every user has logged in), FAULT_DOWN_S (5), FAULT_S3_DOWN_S (10),
FAULT_DISK_FULL_S (10), FAULT_DB_PREFIX (kpi_tracker_fault: the databases are PREFIX,
PREFIX_s3, PREFIX_disk, PREFIX_worker).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from _loadsite import (
    ROOT,
    PostgresCluster,
    Site,
    check_evidence_mismatches,
    env_number,
    free_port,
    load_average,
    lost_uploads,
    manage,
    note,
    report,
    storage_mismatches,
)

duration = env_number("FAULT_DURATION_S", 60)
users = int(env_number("FAULT_USERS", 50))
n_units = int(env_number("FAULT_UNITS", 500))
fault_at = env_number("FAULT_AT_S", 15)
ramp = 5.0
prefix = os.environ.get("FAULT_DB_PREFIX", "kpi_tracker_fault")
THAI_RE = re.compile("[\u0e01-\u0e5b]")


def load_plan(site: Site) -> tuple[dict, Path]:
    plan = site.plan()
    ready_file = site.var_dir / "all-logged-in"
    plan.update(
        users=users,
        reviewer_users=max(1, users // 6),
        duration_s=duration,
        ramp_s=ramp,
        think_s=[0.5, 2.0],
        ready_file=str(ready_file),
    )
    return plan, ready_file


def wait_for_logins(driver, ready_file: Path) -> None:
    """The fault comes FAULT_AT_S after every user has logged in (at most 90 s of waiting), so it
    hits people at work rather than a queue of logins."""
    waited = time.monotonic() + 90
    while not ready_file.exists() and time.monotonic() < waited and driver.poll() is None:
        time.sleep(0.2)
    time.sleep(fault_at)


def start_load(site: Site, label: str):
    """gunicorn and the simulated users; returns (driver, plan, ready file) FAULT_AT_S after every
    user has logged in."""
    plan, ready_file = load_plan(site)
    site.plan_cache = plan
    site.start()
    note(f"load average before the {label} run: {load_average()}")
    driver = site.start_driver(plan)
    wait_for_logins(driver, ready_file)
    return driver, plan, ready_file


def answered(records):
    return [(r[0] + r[4] / 1000, r) for r in records]  # (answered at, record)


def page_errors_between(results: dict, start: float, end: float) -> list:
    """Failed requests answered in [start, end] other than uploads and downloads (the rest of the site)."""
    return [
        r
        for at, r in answered(results["records"])
        if start <= at <= end and not r[5] and r[1] not in ("upload", "download")
    ]


def uploads_between(results: dict, start: float, end: float) -> tuple[int, int, int]:
    """(answered in the window, refused with the Thai message, failed otherwise)."""
    ok = sum(1 for u in results["uploads"] if start <= u["at"] <= end)
    failed = [f for f in results.get("upload_failures", []) if start <= f["at"] <= end]
    thai = sum(1 for f in failed if f["thai"])
    return ok + len(failed), thai, len(failed) - thai


def finish(driver, site: Site) -> dict:
    driver.wait(timeout=duration + ramp + 180)
    return site.read_results()


# --- PostgreSQL stopped and started ------------------------------------------------------------
def fault_postgres() -> None:
    down_for = env_number("FAULT_DOWN_S", 5)
    site = Site(prefix)
    site.prepare(n_units=n_units)
    cluster = PostgresCluster(site.db_url)
    t_down = t_up = None
    driver = None
    try:
        driver, _, ready_file = start_load(site, "PostgreSQL")
        t_down = time.time()
        cluster.stop()
        time.sleep(down_for)
        cluster.start()
        cluster.wait_ready()
        t_up = time.time()
        driver.wait(timeout=duration + ramp + 180)
    finally:
        cluster.ensure_running()
        if driver is not None and driver.poll() is None:
            driver.kill()
            driver.wait()
        site.stop()

    results = site.read_results()
    records = sorted(results["records"], key=lambda r: r[0])
    done = answered(records)
    first_ok = next((at for at, r in done if r[0] >= t_up and r[1] == "page" and r[3] == 200), None)
    recovered_at = first_ok if first_ok is not None else float("inf")
    outage = [r for at, r in done if at >= t_down and r[0] <= recovered_at]
    after = [r for at, r in done if r[0] > recovered_at]

    logged_in_at = float(ready_file.read_text()) if ready_file.exists() else None
    note(
        f"users logged in {logged_in_at - records[0][0]:.1f}s into the run"
        if logged_in_at
        else "not every user logged in"
    )
    note(
        f"PostgreSQL stopped {t_down - records[0][0]:.1f}s into the run, accepting connections again {t_up - t_down:.1f}s later"
    )
    report("fault_down_s", f"{t_up - t_down:.1f}")
    report("fault_down_503_thai", sum(1 for r in outage if r[3] == 503 and r[6]))
    report("fault_down_other", sum(1 for r in outage if not r[5] and not (r[3] == 503 and r[6])))
    report("fault_recovery_s", f"{first_ok - t_up:.2f}" if first_ok is not None else "never")
    report("fault_errors_after", sum(1 for r in after if not r[5]))

    from django.db import connections

    connections.close_all()  # the bench's own connection died with the restart
    lost = lost_uploads(results["uploads"])
    orphans, missing = storage_mismatches(site.var_dir)
    report("fault_uploads_acknowledged", len(results["uploads"]))
    report("fault_lost_uploads", len(lost))
    report("fault_orphan_files", len(orphans))
    report("fault_missing_files", len(missing))
    status, _, lines = check_evidence_mismatches(site)
    report("fault_check_evidence", status)
    for line in (lines if status != "ok" else []) + lost[:10] + orphans[:5] + missing[:5]:
        note(f"integrity: {line}")
    for r in [r for r in outage if not r[5] and not (r[3] == 503 and r[6])][:5]:
        note(f"during outage: {r[1]} {r[2]} -> {r[3]}")
    for r in [r for r in after if not r[5]][:5]:
        note(f"after recovery: {r[1]} {r[2]} -> {r[3]}")
    site.cleanup()


# --- S3 endpoint gone --------------------------------------------------------------------------
class TcpGate:
    """A TCP forwarder on 127.0.0.1 in front of another loopback port. close() stops listening and
    resets every open connection (the endpoint is gone); open() listens on the same port again."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        with self.lock:
            for conn in list(self.connections):
                try:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    conn.close()  # with SO_LINGER 0: a reset, as when the host goes away
                except OSError:
                    pass
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self.lock:
                self.connections.discard(source)
                self.connections.discard(sink)


def start_moto() -> tuple[subprocess.Popen, int]:
    import urllib.error
    import urllib.request

    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()
            return process, port
        except urllib.error.HTTPError:
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)


def fault_s3() -> None:
    import boto3

    down_for = env_number("FAULT_S3_DOWN_S", 10)
    moto, moto_port = start_moto()
    gate = TcpGate(moto_port)
    gate.open()
    bucket = f"fault-{uuid.uuid4().hex[:8]}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{moto_port}", **credentials).create_bucket(Bucket=bucket)
    s3_env = {
        "EVIDENCE_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{gate.port}",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
    }
    site = Site(f"{prefix}_s3", extra_env=s3_env)
    driver = None
    t_down = t_up = None
    try:
        site.prepare(n_units=n_units)
        driver, _, _ = start_load(site, "S3")
        t_down = time.time()
        gate.close()
        time.sleep(down_for)
        gate.open()
        t_up = time.time()
        results = finish(driver, site)
    finally:
        if driver is not None and driver.poll() is None:
            driver.kill()
            driver.wait()
        site.stop()
    during, thai, other = uploads_between(results, t_down, t_up)
    first_ok = min((u["at"] for u in results["uploads"] if u["at"] >= t_up), default=None)
    report("fault_s3_down_s", f"{t_up - t_down:.1f}")
    report("fault_s3_uploads_during", during)
    report("fault_s3_thai_errors", thai)
    report("fault_s3_other_errors", other)
    report("fault_s3_recovery_s", f"{first_ok - t_up:.2f}" if first_ok is not None else "never")
    after_ok = sum(1 for u in results["uploads"] if u["at"] > t_up)
    after_failed = sum(1 for f in results.get("upload_failures", []) if f["started"] > t_up)
    note(f"uploads after the endpoint came back: {after_ok} acknowledged, {after_failed} refused")
    page_errors = page_errors_between(results, t_down, t_up)
    report("fault_s3_page_errors", len(page_errors))
    lost = lost_uploads(results["uploads"])  # this process's storage is the same bucket, through the gate
    report("fault_s3_uploads_acknowledged", len(results["uploads"]))
    report("fault_s3_lost", len(lost))
    status, kinds, lines = check_evidence_mismatches(site)
    report("fault_s3_orphans", kinds["orphan"])
    report("fault_s3_missing", kinds["missing"])
    report("fault_s3_check_evidence", status)
    for line in (lines if status != "ok" else []) + lost[:10]:
        note(f"integrity: {line}")
    for f in [f for f in results.get("upload_failures", []) if t_down <= f["at"] <= t_up and not f["thai"]][:5]:
        note(f"upload during the outage: status {f['status']}")
    for r in page_errors[:5]:
        note(f"during the outage: {r[1]} {r[2]} -> {r[3]}")
    gate.close()
    moto.terminate()
    moto.wait(timeout=10)
    site.cleanup()


# --- the evidence disk full --------------------------------------------------------------------
def fill(path: Path) -> int:
    """Write zeros to path until the file system is full; returns the bytes written."""
    block = b"\0" * (1024 * 1024)
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (len(block), 4096, 1):
            while True:
                try:
                    written += os.write(fd, block[:size])
                except OSError:
                    break
    finally:
        os.close(fd)
    return written


def fault_disk() -> None:
    full_for = env_number("FAULT_DISK_FULL_S", 10)
    site = Site(f"{prefix}_disk")
    evidence_dir = site.var_dir / "evidence"
    evidence_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "tmpfs", str(evidence_dir)], check=True)
    driver = None
    filler = evidence_dir / "disk-full-filler"
    try:
        site.prepare(n_units=n_units)
        driver, _, _ = start_load(site, "disk")
        t_full = time.time()
        filled = fill(filler)
        note(f"filled the evidence file system with {filled / 1e6:.0f} MB")
        time.sleep(full_for)
        filler.unlink()
        t_free = time.time()
        results = finish(driver, site)
        during, thai, other = uploads_between(results, t_full, t_free)
        page_errors = page_errors_between(results, t_full, t_free)
        report("fault_disk_full_s", f"{t_free - t_full:.1f}")
        report("fault_disk_full_uploads_during", during)
        report("fault_disk_full_thai_errors", thai)
        report("fault_disk_full_other_errors", other)
        report("fault_disk_full_page_errors", len(page_errors))
        lost = lost_uploads(results["uploads"])
        orphans, missing = storage_mismatches(site.var_dir)
        spool = list((evidence_dir / ".incoming").glob("kpi-upload-*"))
        site.stop()  # no upload in flight from here on: whatever spool is left is a leftover
        spool_left = list((evidence_dir / ".incoming").glob("kpi-upload-*"))
        report("fault_disk_full_uploads_acknowledged", len(results["uploads"]))
        report("fault_disk_full_lost", len(lost) + len(missing))
        report("fault_disk_full_orphans", len(orphans) + len(spool_left))
        status, _, lines = check_evidence_mismatches(site)
        report("fault_disk_full_check_evidence", status)
        note(f"spool files while serving: {len(spool)}, after stopping: {len(spool_left)}")
        for line in (lines if status != "ok" else []) + lost[:10] + orphans[:5] + missing[:5]:
            note(f"integrity: {line}")
        for r in page_errors[:5]:
            note(f"while the disk was full: {r[1]} {r[2]} -> {r[3]}")
    finally:
        if driver is not None and driver.poll() is None:
            driver.kill()
            driver.wait()
        site.stop()
        subprocess.run(["umount", "-l", str(evidence_dir)], check=False)
    site.cleanup()


# --- a worker killed mid-upload ----------------------------------------------------------------
def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def holder_of_spool(master: int, spool_dir: Path) -> tuple[int, str] | None:
    """The worker with an upload spool file open, and that file."""
    for pid in worker_pids(master):
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                target = os.readlink(fd)
                if target.startswith(str(spool_dir)) and Path(target).name.startswith("kpi-upload-"):
                    return pid, target
        except OSError:
            continue
    return None


def slow_upload(site: Site, staff: dict, name: str, stop: threading.Event) -> None:
    """An 8 MB upload sent 64 KB every 20 ms (about 2.5 s), by a logged-in staff member."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from loadgen import Recorder, User

    user = User({**site.plan_cache, "think_s": [0, 0]}, Recorder(), staff["username"], 9_999)
    if not user.login():
        raise RuntimeError("the slow uploader could not log in")
    user.call("page", "step", "GET", site.plan_cache["urls"]["step"].format(pk=staff["assessment"], number=1))
    from tests.fixtures.documents import minimal_pdf

    content = minimal_pdf("killed worker", size=8 * 1024 * 1024)
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{user.csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence_date"\r\n\r\n2020-08-01\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    path = site.plan_cache["urls"]["upload"].format(pk=staff["assessment"], number=1)
    cookies = "; ".join(f"{k}={v}" for k, v in user.cookies.items())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\nX-Forwarded-Proto: https\r\n"
        f"Origin: {user.origin}\r\nReferer: {user.origin}{path}\r\nCookie: {cookies}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", site.port), timeout=30) as sock:
        sock.sendall(request)
        for start in range(0, len(body), 64 * 1024):
            if stop.is_set():
                return
            try:
                sock.sendall(body[start : start + 64 * 1024])
            except OSError:
                return  # the worker died under us
            time.sleep(0.02)


def fault_worker() -> None:
    site = Site(f"{prefix}_worker")
    driver = None
    try:
        site.prepare(n_units=n_units)
        driver, plan, _ = start_load(site, "worker")
        spool_dir = site.var_dir / "evidence" / ".incoming"
        name = f"ถูกตัดกลางทาง-{uuid.uuid4().hex[:6]}.pdf"
        stop = threading.Event()
        staff = plan["staff"][-1]  # a unit no simulated user works for
        sender = threading.Thread(target=slow_upload, args=(site, staff, name, stop), daemon=True)
        sender.start()
        found = None
        deadline = time.monotonic() + 20
        while found is None and time.monotonic() < deadline and sender.is_alive():
            found = holder_of_spool(site.server.pid, spool_dir)
            time.sleep(0.02)
        t_kill = time.time()
        if found is not None:
            os.kill(found[0], signal.SIGKILL)
            note(f"killed worker {found[0]} holding {Path(found[1]).name} mid-upload")
        stop.set()
        sender.join(timeout=30)
        spool_after_kill = Path(found[1]).exists() if found else False
        results = finish(driver, site)
        swept = manage(site, "evidence_orphans", "--delete", "--min-age", "0", "--spool-grace", "0")
        listed = manage(site, "evidence_orphans", "--min-age", "0", "--spool-grace", "0")
    finally:
        if driver is not None and driver.poll() is None:
            driver.kill()
            driver.wait()
        site.stop()
    from evidence.models import EvidenceFile

    report("fault_killed_worker_found", 1 if found else 0)
    report("fault_killed_worker_rows", EvidenceFile.objects.filter(original_name=name).count())
    report("fault_killed_worker_spool_left", 1 if spool_after_kill else 0)
    report("fault_killed_worker_swept", 1 if found and f"deleted spool {found[1]}" in swept.stdout else 0)
    match = re.search(r"^(\d+) orphan", listed.stdout, re.MULTILINE)
    report("fault_killed_worker_orphans", int(match.group(1)) if match else "error")
    status, _, lines = check_evidence_mismatches(site)
    report("fault_killed_worker_check_evidence", status)
    others = [r for at, r in answered(results["records"]) if t_kill - 1 <= at <= t_kill + 5 and not r[5]]
    report("fault_killed_worker_other_errors", len(others))
    report("fault_killed_worker_uploads_acknowledged", len(results["uploads"]))
    report("fault_killed_worker_lost", len(lost_uploads(results["uploads"])))
    for line in lines if status != "ok" else []:
        note(f"integrity: {line}")
    site.cleanup()


RUNS = {"postgres": fault_postgres, "s3": fault_s3, "disk": fault_disk, "worker": fault_worker}
wanted = [f.strip() for f in (os.environ.get("FAULTS") or ",".join(RUNS)).split(",") if f.strip()]
unknown = [f for f in wanted if f not in RUNS]
if unknown or not wanted:
    raise SystemExit(f"FAULTS: unknown {unknown}; choose from {sorted(RUNS)}")
note(f"fault run: {wanted[0]}")
RUNS[wanted[0]]()
if wanted[1:]:
    # Each run sets Django up for its own database and storage: the next one in a new process.
    subprocess.run([sys.executable, __file__], env={**os.environ, "FAULTS": ",".join(wanted[1:])}, check=True)
