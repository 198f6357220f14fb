"""Load: gunicorn with the production settings on PostgreSQL with 500 units, driven by 50 users.

The users (benchmarks/loadgen.py, a second process on loopback) mix page views, uploads,
submissions, reviews and PDF exports with a think time between requests. Prints, over the
measured window after a ramp-up:
  load_rps, load_p50_ms / load_p95_ms / load_p99_ms (HTML page views), load_errors (every
  request of the run answered other than expected, including connection errors), per-kind
  counts and p95, and ceiling_rps (/healthz/, a trivial view on the same stack, closed loop,
  same run). Targets: load_errors 0, load_p95_ms at most 500.

Environment: LOAD_DURATION_S (default 120), LOAD_USERS (50), LOAD_RAMP_S (30: logins spread out),
LOAD_CEILING_S (10), LOAD_THINK_MIN_S / LOAD_THINK_MAX_S (0.5 / 2.0), LOAD_WORKERS (3),
LOAD_THREADS (4).

The mix per simulated person (benchmarks/loadgen.py): unit staff (most users) open their unit
and step pages, save step 1, upload a small PDF with a Thai name every round, submit step 1
once, download their evidence, and export the unit's score report in one round out of ten;
reviewers open the dashboard and the queue, decide a submitted step (a quarter returned with a
comment), export a unit's report in one round out of five and the score CSV now and then; one
executive opens the dashboard and exports the department summary PDF once a minute.
"""

import os
import time

from _loadsite import Site, env_number, error_samples, load_average, note, report, slowest_names, summarise

duration = env_number("LOAD_DURATION_S", 120)
users = int(env_number("LOAD_USERS", 50))

site = Site("kpi_tracker_load")
started = time.perf_counter()
site.prepare(n_units=500)
note(f"seeded 500 units and {500 + 9} accounts in {time.perf_counter() - started:.1f}s")
plan = site.plan()
plan.update(
    users=users,
    reviewer_users=max(1, users // 6),
    duration_s=duration,
    ramp_s=env_number("LOAD_RAMP_S", 30),
    think_s=[env_number("LOAD_THINK_MIN_S", 0.5), env_number("LOAD_THINK_MAX_S", 2.0)],
    ceiling={"path": plan["urls"]["healthz"], "threads": 8, "seconds": env_number("LOAD_CEILING_S", 10)},
)
try:
    site.start(workers=int(env_number("LOAD_WORKERS", 3)), threads=int(env_number("LOAD_THREADS", 4)))
    note(f"load average before the run: {load_average()} ({os.cpu_count()} CPUs)")
    results = site.drive(plan, timeout_s=duration + 300)
    note(f"load average after the run: {load_average()}")
finally:
    site.stop()

figures = summarise(results)
note(f"{users} users for {duration:.0f}s, {figures['requests']} requests, gunicorn {site.base} on {site.db_url}")
report("load_rps", f"{figures['rps']:.1f}")
report("load_p50_ms", f"{figures['p50']:.1f}")
report("load_p95_ms", f"{figures['p95']:.1f}")
report("load_p99_ms", f"{figures['p99']:.1f}")
report("load_errors", figures["errors"])
for kind, (count, p95) in figures["by_kind"].items():
    report(f"load_{kind}_count", count)
    report(f"load_{kind}_p95_ms", f"{p95:.1f}")
report("ceiling_rps", f"{figures.get('ceiling_rps', 0):.1f}")
for line in slowest_names(results):
    note(line)
for line in error_samples(results):
    note(f"error: {line}")
for line in site.server_errors()[:10]:
    note(f"server: {line}")
site.cleanup()
