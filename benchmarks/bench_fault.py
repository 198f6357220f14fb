"""Fault run: PostgreSQL is stopped and started again while 50 users work on the production stack.

The same site as bench_load (gunicorn, production settings, PostgreSQL, 500 units). FAULT_AT_S
seconds into the load the cluster is stopped (`pg_ctlcluster ... stop -m fast`), left down for
FAULT_DOWN_S seconds, and started again. Prints:
  fault_down_s            how long PostgreSQL was down
  fault_down_503_thai     answers during the outage that were the Thai 503 page
  fault_down_other        answers during the outage that were anything else but success
                          (a 500, a connection error, a 503 without the Thai page)
  fault_recovery_s        from PostgreSQL accepting connections again to the first page answered
                          200 (target at most 30)
  fault_errors_after      failures after recovery (should be 0)
  fault_uploads_acknowledged, fault_lost_uploads (must be 0): every upload the server answered
                          with its success message is in the database and in storage with the
                          sha256 that was sent
  fault_orphan_files, fault_missing_files: files with no row and rows with no file
  fault_check_evidence    `manage.py check_evidence`: ok, or the mismatches it reported
PostgreSQL is started again whatever happens (try/finally). Environment: FAULT_DURATION_S (60),
FAULT_USERS (50), FAULT_AT_S (15, counted from when every user has logged in), FAULT_DOWN_S (5).
"""

import subprocess
import sys
import time

from _loadsite import (
    ROOT,
    PostgresCluster,
    Site,
    env_number,
    load_average,
    lost_uploads,
    note,
    report,
    storage_mismatches,
)

duration = env_number("FAULT_DURATION_S", 60)
users = int(env_number("FAULT_USERS", 50))
fault_at = env_number("FAULT_AT_S", 15)
down_for = env_number("FAULT_DOWN_S", 5)
ramp = 5.0

site = Site("kpi_tracker_fault")
site.prepare(n_units=500)
cluster = PostgresCluster(site.db_url)
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

t_down = t_up = None
driver = None
try:
    site.start()
    note(f"load average before the run: {load_average()}")
    driver = site.start_driver(plan)
    # The fault comes FAULT_AT_S after every user has logged in (at most 90 s of waiting), so
    # it hits people at work rather than a queue of logins.
    waited = time.monotonic() + 90
    while not ready_file.exists() and time.monotonic() < waited and driver.poll() is None:
        time.sleep(0.2)
    time.sleep(fault_at)
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
done = [(r[0] + r[4] / 1000, r) for r in records]  # (answered at, record)
first_ok = next((at for at, r in done if r[0] >= t_up and r[1] == "page" and r[3] == 200), None)
recovered_at = first_ok if first_ok is not None else float("inf")
outage = [r for at, r in done if at >= t_down and r[0] <= recovered_at]
after = [r for at, r in done if r[0] > recovered_at]

logged_in_at = float(ready_file.read_text()) if ready_file.exists() else None
note(
    f"users logged in {logged_in_at - records[0][0]:.1f}s into the run" if logged_in_at else "not every user logged in"
)
note(
    f"PostgreSQL stopped {t_down - records[0][0]:.1f}s into the run, accepting connections again {t_up - t_down:.1f}s later"
)
report("fault_down_s", f"{t_up - t_down:.1f}")
report("fault_down_503_thai", sum(1 for r in outage if r[3] == 503 and r[6]))
report("fault_down_other", sum(1 for r in outage if not r[5] and not (r[3] == 503 and r[6])))
report("fault_recovery_s", f"{first_ok - t_up:.2f}" if first_ok is not None else "never")
report("fault_errors_after", sum(1 for r in after if not r[5]))

from django.db import connections  # noqa: E402  (Django was set up by site.prepare)

connections.close_all()  # the bench's own connection died with the restart
lost = lost_uploads(results["uploads"])
orphans, missing = storage_mismatches(site.var_dir)
report("fault_uploads_acknowledged", len(results["uploads"]))
report("fault_lost_uploads", len(lost))
report("fault_orphan_files", len(orphans))
report("fault_missing_files", len(missing))
if (ROOT / "evidence" / "management" / "commands" / "check_evidence.py").exists():
    check = subprocess.run(
        [sys.executable, "manage.py", "check_evidence"],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report("fault_check_evidence", "ok" if check.returncode == 0 else "mismatch")
    if check.returncode != 0:
        for line in (check.stdout + check.stderr).splitlines()[:10]:
            note(f"check_evidence: {line}")
else:
    note("check_evidence does not exist yet: only this benchmark's own storage check ran")
for line in lost[:10] + orphans[:5] + missing[:5]:
    note(f"integrity: {line}")
for r in [r for r in outage if not r[5] and not (r[3] == 503 and r[6])][:5]:
    note(f"during outage: {r[1]} {r[2]} -> {r[3]}")
for r in [r for r in after if not r[5]][:5]:
    note(f"after recovery: {r[1]} {r[2]} -> {r[3]}")
site.cleanup()
