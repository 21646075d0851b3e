"""`make bench-exam`: an exam class on loopback, modelled on the Moodle 4.5 quiz load test.

1. Uses `make bench`'s database (DATABASE_URL, default .../endra_bench; created, migrated and
   filled with the scale data if missing, or only the demo with --demo-only) and prepares fresh
   learners for every step: passwords, verified e-mail, one municipality, enrolled in a course
   with a module quiz (bench/exam_prep.py).
2. Serves Endra with gunicorn as `make bench` does (config.settings.bench, 2 x cores + 1 sync
   workers), with the shared Redis cache production uses for the login limits and the proxy
   setting a deployment behind one proxy has (TRUSTED_PROXY_COUNT=1).
3. Runs one headless locust process per step (250, 500, 1,000, 2,000 users by default): each
   virtual user logs in, opens the course and the quiz module, waits for the common start
   moment, starts the quiz, thinks 30-90 s, submits and reads the result
   (bench/locustfile_exam.py, bench/exam_flow.py). Users arrive at 3,000 per 180 s, the
   Moodle test's login ramp. A step ends when its last user has finished.
4. Measures the CPU of gunicorn's process tree (/proc), the whole machine's and locust's own,
   writes bench/exam-results.json and prints a table.

    make bench-exam                                   # the full ramp (about 15 minutes)
    make bench-exam BENCH_EXAM_STEPS=50,100 BENCH_EXAM_THINK=5,15   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exam_flow import STEPS  # noqa: E402
from bench.run import (  # noqa: E402
    DEFAULT_DB,
    HOST,
    PY,
    bench_env,
    django_side,
    ensure_database,
    free_port,
    log,
    machine,
    manage,
    start_gunicorn,
    stop,
    worker_pids,
)

REDIS = os.environ.get("BENCH_EXAM_REDIS", "redis://127.0.0.1:6379/13")
MOODLE_RAMP = 3000 / 180  # users per second: 3,000 users logged in over 180 s
TICK = os.sysconf("SC_CLK_TCK")
RESULTS = ROOT / "bench" / "exam-results.json"


# --- CPU from /proc ---------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_cpu_seconds(master: int) -> float:
    """User + system CPU of gunicorn's master and live workers, plus the workers it reaped."""
    fields = _stat(master)  # after the name: state is [0], utime [11], stime [12], cutime [13]...
    total = sum(int(x) for x in fields[11:15])
    for pid in worker_pids(master):
        try:
            worker = _stat(pid)
        except OSError:
            continue
        total += int(worker[11]) + int(worker[12])
    return total / TICK


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


class CPUWatch:
    """Samples gunicorn's and the machine's CPU once a second while a step runs."""

    def __init__(self, master: int):
        self.master = master
        self.samples: list[tuple[float, float, float]] = []  # (time, gunicorn s, machine s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        self.samples.append(
            (time.monotonic(), tree_cpu_seconds(self.master), machine_busy_seconds()[0])
        )

    def _run(self):
        while not self._stop.wait(1.0):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def result(self) -> dict:
        (t0, g0, m0), (t1, g1, m1) = self.samples[0], self.samples[-1]
        wall = t1 - t0 or 1.0
        peak = 0.0
        for i, (ta, ga, _ma) in enumerate(self.samples):  # busiest 5-second window
            for tb, gb, _mb in self.samples[i + 1 :]:
                if tb - ta >= 5:
                    peak = max(peak, (gb - ga) / (tb - ta))
                    break
        return {
            "gunicorn_cpu_seconds": round(g1 - g0, 1),
            "gunicorn_cores_mean": round((g1 - g0) / wall, 2),
            "gunicorn_cores_peak_5s": round(peak, 2),
            "machine_cores_busy_mean": round((m1 - m0) / wall, 2),
        }


# --- The run ----------------------------------------------------------------------------


def demo_present(database_url: str) -> bool:
    """True if the demo is already seeded (a live module with a quiz in a course)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        if conn.execute("SELECT to_regclass('courses_modulepage')").fetchone()[0] is None:
            return False
        row = conn.execute(
            "SELECT 1 FROM courses_modulepage m JOIN wagtailcore_page p ON p.id = m.page_ptr_id"
            " WHERE m.completion = 'quiz' AND p.live LIMIT 1"
        ).fetchone()
        return row is not None


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run_step(
    *,
    index: int,
    users: int,
    port: int,
    master: int,
    plan_file: Path,
    args,
    workdir: Path,
    warmup: bool = False,
) -> dict:
    """One locust run over step `index`'s learners. The warm-up run has no common start and
    no think time: it only makes every worker load what the exam needs."""
    spawn_seconds = users / args.rate
    launched = time.time()
    # Locust needs a few seconds to start; the last learner then still opens two pages.
    start_at = 0.0 if warmup else launched + 5 + spawn_seconds + args.start_margin
    think_min, think_max = (0.0, 0.0) if warmup else args.think
    bound = int(max(start_at - launched, spawn_seconds) + think_max + args.drain)
    out = workdir / f"step-{index}.json"
    env = dict(
        os.environ,
        BENCH_EXAM_PLAN=str(plan_file),
        BENCH_EXAM_STEP=str(index),
        BENCH_EXAM_START_AT=f"{start_at:.3f}",
        BENCH_EXAM_THINK=f"{think_min},{think_max}",
        BENCH_EXAM_OFFICE=str(args.office),
        BENCH_EXAM_OUT=str(out),
    )
    command = [
        str(Path(PY).parent / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile_exam.py"),
        "--headless",
        "--only-summary",
        "--skip-log-setup",
        f"--users={users}",
        f"--spawn-rate={args.rate:.3f}",
        f"--host=http://{HOST}:{port}",
        f"--run-time={bound}s",
        "--stop-timeout=10",
        "--exit-code-on-error=0",
    ]
    if warmup:
        log(f"warm-up (not measured): {users} learners take the exam at once")
    else:
        log(
            f"step {index}: {users} users, arriving over {spawn_seconds:.0f} s, quiz start "
            f"together {start_at - launched:.0f} s in, think {think_min:g}-{think_max:g} s"
        )
    with CPUWatch(master) as watch:
        process = subprocess.Popen(  # noqa: S603  # nosec B603
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.time() - launched
    if not out.exists():
        raise SystemExit(f"locust wrote no statistics (exit code {process.returncode})")
    result = json.loads(out.read_text())
    result.update(watch.result())
    locust_cpu = usage.ru_utime + usage.ru_stime
    result["locust_cpu_seconds"] = round(locust_cpu, 1)
    result["locust_share_of_machine"] = round(locust_cpu / (wall * (os.cpu_count() or 1)), 3)
    result["wall_seconds"] = round(wall, 1)
    result["spawn_seconds"] = round(spawn_seconds, 1)
    result["bounded_at_seconds"] = bound
    # Users still in the middle of their exam when locust's time bound stopped them.
    result["cut_short"] = users - result["completed"] - result["failed"]
    cpu = result["gunicorn_cpu_seconds"]
    result["gunicorn_cpu_ms_per_request"] = (
        round(cpu * 1000 / result["requests"], 1) if result["requests"] else None
    )
    # A whole exam (7 requests) per core-second, when every user got through it.
    if result["completed"] == users:
        result["gunicorn_cpu_seconds_per_exam"] = round(cpu / users, 3)
        result["exams_per_core_second"] = round(users / cpu, 2) if cpu else None
    return result


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = os.environ.get("BENCH_EXAM_STEPS", "250,500,1000,2000")
    think = os.environ.get("BENCH_EXAM_THINK", "30,90")
    parser.add_argument("--steps", default=steps, help="users per step, comma separated")
    parser.add_argument("--think", default=think, help="think time min,max in seconds")
    parser.add_argument(
        "--rate",
        type=float,
        default=float(os.environ.get("BENCH_EXAM_RATE", MOODLE_RAMP)),
        help="users arriving per second (default 3,000 per 180 s)",
    )
    parser.add_argument(
        "--office",
        type=int,
        default=int(os.environ.get("BENCH_EXAM_OFFICE", "200")),
        help="learners per office address (X-Forwarded-For); 0: all from 127.0.0.1",
    )
    parser.add_argument("--start-margin", type=float, default=20.0)
    parser.add_argument("--drain", type=float, default=180.0, help="seconds allowed after")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--municipality", default="0301")
    parser.add_argument("--demo-only", action="store_true", help="no scale data: the demo")
    parser.add_argument("--seed", default="1")
    args = parser.parse_args()
    args.steps = [int(x) for x in args.steps.split(",") if x.strip()]
    args.think = tuple(float(x) for x in args.think.split(","))
    return args


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not database_url.startswith("postgres"):
        raise SystemExit("make bench-exam needs PostgreSQL: DATABASE_URL=postgres://...")
    env = bench_env(database_url, REDIS)
    env.update(REDIS_CACHE_URL=REDIS, TRUSTED_PROXY_COUNT="1")
    flush_redis(REDIS)
    generated = ensure_database(database_url, fresh=False)
    manage(env, "migrate", "--no-input", "-v0")
    if not generated:
        if not (args.demo_only and demo_present(database_url)):
            manage(env, "seed_demo")
        if not args.demo_only:
            log("generating the scale data (once; later runs reuse it)")
            manage(env, "generate_scale_data", "--seed", args.seed)
    manage(env, "collectstatic", "--no-input", "-v0")
    warm = 2 * args.workers  # the warm-up's learners: every sync worker serves a few exams
    log(f"preparing {warm + sum(args.steps)} learners")
    plan = django_side(env, "exam-setup", args.municipality, *map(str, [warm, *args.steps]))
    results: dict = {
        "machine": machine(),
        "database": urlsplit(database_url).path.lstrip("/"),
        "scale_data": generated or not args.demo_only,
        "municipality": plan["municipality"],
        "quiz_url": plan["quiz_url"],
        "settings": {
            "workers": args.workers,
            "worker_class": "sync",
            "think_seconds": list(args.think),
            "arrival_per_second": round(args.rate, 2),
            "office_size": args.office,
            "trusted_proxy_count": 1,
            "cache": "redis",
        },
        "steps": [],
    }
    with tempfile.TemporaryDirectory(prefix="endra-exam-") as tmp:
        workdir = Path(tmp)
        plan_file = workdir / "plan.json"
        plan_file.write_text(json.dumps(plan))
        port = free_port()
        log(f"gunicorn on {HOST}:{port}, {args.workers} workers")
        server = start_gunicorn(env, port, args.workers, backlog=2048)
        try:
            results["warmup"] = run_step(
                index=0,
                users=warm,
                port=port,
                master=server.pid,
                plan_file=plan_file,
                args=args,
                workdir=workdir,
                warmup=True,
            )
            for index, users in enumerate(args.steps, start=1):
                step = run_step(
                    index=index,
                    users=users,
                    port=port,
                    master=server.pid,
                    plan_file=plan_file,
                    args=args,
                    workdir=workdir,
                )
                results["steps"].append(step)
                print_step(step)
                results["total_seconds"] = round(time.monotonic() - started, 1)
                RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        finally:
            stop(server)
    print_table(results)


def _cell(entry: dict) -> str:
    if not entry.get("requests"):
        return "-"
    return f"{entry['p50_ms']:.0f}/{entry['p95_ms']:.0f}"


def print_step(step: dict) -> None:
    log(
        f"{step['users']} users: {step['failures']} failures of {step['requests']} requests, "
        f"gunicorn {step['gunicorn_cores_mean']} cores (peak {step['gunicorn_cores_peak_5s']}), "
        f"locust {step['locust_share_of_machine']:.1%} of the machine"
    )


def print_table(results: dict) -> None:
    names = ["login", "course", "module", "quiz start", "submit", "result"]
    print()
    print(
        "p50/p95 ms per step; late: started after the common moment; cut: stopped by the time"
        " bound; CPU in cores (gunicorn mean / peak 5 s, whole machine mean)"
    )
    print(f"{'users':>6} " + " ".join(f"{n:>12}" for n in names) + "  errors  late  cut  cpu")
    for step in results["steps"]:
        cells = " ".join(f"{_cell(step['steps'][n]):>12}" for n in names)
        cpu = (
            f"{step['gunicorn_cores_mean']}/{step['gunicorn_cores_peak_5s']}, "
            f"machine {step['machine_cores_busy_mean']}"
        )
        print(
            f"{step['users']:>6} {cells}  {step['failures']:>6} {step['late_for_start']:>5} "
            f"{step['cut_short']:>4}  {cpu}, {step['gunicorn_cpu_ms_per_request']} ms/request"
        )
    print(f"steps: {', '.join(f'{k} = {v}' for k, v in STEPS.items() if k in names)}")
    print(f"results in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
