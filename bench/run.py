"""`make bench`: Endra at municipal scale on PostgreSQL and gunicorn, on loopback.

1. Creates the database if missing (DATABASE_URL, default .../endra_bench), migrates, seeds
   the demo and generates the scale data once (a later run reuses it; --fresh starts over).
2. Serves the app with gunicorn (config.settings.bench = production + the floor view and a
   query-count header) on a free port, 2 x cores + 1 sync workers.
3. Drives each page with a thread-per-connection load generator (http.client), at 1 and 16
   concurrent connections, bounded by request count and time. Before each measurement every
   gunicorn worker serves the page a few times (the X-Bench-Worker header tells which one
   did), so no figure, the floor's included, pays for a cold worker.
4. Times the raw SQL baselines, the export's peak memory and 1,000 certificates with the
   Celery worker, then writes bench/results.json and prints a table.
5. Provisions people through SCIM (POST /scim/v2/Users with Bergen's token, 2 x cores
   connections): people per second. `--only-scim` runs this step alone over the demo data.

`--national` measures instead the HR dashboard of Oslo, a mid-sized and a small municipality
over the national data set (every municipality at its share of 500,000 people), and the same
mid-sized and small municipality in a database that holds only them (the same rows, generated
with `--only`), so a dashboard's cost can be compared with and without the other
municipalities: bench/results-national.json.

Goals are reported, not asserted. See README.md, "Benchmarks"."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/endra_bench"
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
HOST = "127.0.0.1"
OSLO = "0301"
MEDIA = os.environ.get(
    "BENCH_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "endra-bench")
)  # PDFs, signing key
STARTED = time.monotonic()


def log(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", flush=True)


# --- Environment and database -----------------------------------------------------------


def bench_env(database_url: str, broker: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-" + "x" * 50),
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; everything else production
        CONN_MAX_AGE=env.get("CONN_MAX_AGE", "60"),  # persistent connections, as deployed
        CELERY_BROKER_URL=broker,
        MEDIA_ROOT=MEDIA,
        ENDRA_SIGNING_KEY_FILE=f"{MEDIA}/signing-key",
        LOG_LEVEL="WARNING",
        SCIM_RATE_LIMIT="1000000",  # the figure is throughput, not the limiter
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603  # nosec B603


def django_side(env: dict, *args: str) -> dict:
    done = subprocess.run(  # noqa: S603  # nosec B603
        [PY, str(ROOT / "bench" / "django_side.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def ensure_database(url: str, *, fresh: bool) -> bool:
    """Create the database if missing (drop it first with --fresh); True if it has scale data."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return False
    with psycopg.connect(url) as conn:
        table = conn.execute("SELECT to_regclass('learners_user')").fetchone()[0]
        if table is None:
            return False
        row = conn.execute(
            "SELECT 1 FROM learners_user WHERE email LIKE '%%@skala.endra.example' LIMIT 1"
        ).fetchone()
        return row is not None


def broker_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# --- gunicorn ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, *, backlog: int = 256) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [
            str(Path(PY).parent / "gunicorn"),
            "config.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={workers}",
            "--worker-class=sync",
            "--timeout=600",
            f"--backlog={backlog}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _h, _b, _q = request(port, "GET", "/healthz")
            if status in (200, 503):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RSSWatch:
    """Samples the RSS of every gunicorn worker while a scenario runs: the largest growth of
    one worker over its size before is the memory the request cost."""

    def __init__(self, master: int):
        self.pids = worker_pids(master)
        self.before = {pid: rss_mb(pid) for pid in self.pids}
        self.peak = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_mb(pid))
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def result(self) -> dict:
        delta = max((self.peak[p] - self.before[p] for p in self.pids), default=0.0)
        return {
            "worker_rss_delta_mb": round(delta, 1),
            "worker_peak_rss_mb": round(max(self.peak.values(), default=0), 1),
        }


# --- Load generator ---------------------------------------------------------------------


def request(
    port: int, method: str, path: str, headers: dict | None = None, body: str | None = None
):
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        size = len(response.read())
        return (
            response.status,
            dict(response.getheaders()),
            size,
            response.getheader("X-Bench-Queries"),
        )
    finally:
        conn.close()


def cookies(session: str | None, csrf: str | None = None) -> dict:
    parts = []
    if session:
        parts.append(f"sessionid={session}")
    if csrf:
        parts.append(f"csrftoken={csrf}")
    headers = {"Host": HOST}
    if parts:
        headers["Cookie"] = "; ".join(parts)
    return headers


def warm_up(
    port: int, make, master: int, *, per_worker: int, max_requests: int, max_seconds: float = 120
) -> dict:
    """Request the page over as many connections as there are workers until every worker
    has served it `per_worker` times (bounded by count and time): imports, templates,
    connections and caches of each worker are warm before anything is measured."""
    pids = set(worker_pids(master))
    served: dict[int, int] = dict.fromkeys(pids, 0)
    lock = threading.Lock()
    state = {"next": 0}
    deadline = time.perf_counter() + max_seconds

    def warm() -> bool:
        return all(served[pid] >= per_worker for pid in pids)

    def worker():
        while True:
            with lock:
                if warm() or state["next"] >= max_requests or time.perf_counter() > deadline:
                    return
                index = state["next"]
                state["next"] += 1
            try:
                _status, headers, _size, _count = request(port, *make(index))
            except OSError:
                continue
            pid = int(headers.get("X-Bench-Worker") or 0)
            with lock:
                served[pid] = served.get(pid, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(max(1, len(pids)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": state["next"],
        "workers_warm": sum(1 for pid in pids if served[pid] >= per_worker),
        "workers": len(pids),
    }


def run_load(port: int, make, *, concurrency: int, max_requests: int, max_seconds: float) -> dict:
    """`make(i)` -> (method, path, headers, body). Each thread is one connection at a time;
    stops after max_requests or once max_seconds have passed (requests in flight finish)."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies, statuses, queries, sizes = [], {}, [], []
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker():
        while True:
            with lock:
                index = state["next"]
                if index >= max_requests or time.perf_counter() > deadline:
                    return
                state["next"] += 1
            method, path, headers, body = make(index)
            t0 = time.perf_counter()
            try:
                status, _headers, size, count = request(port, method, path, headers, body)
            except OSError as error:
                status, size, count = f"error:{type(error).__name__}", 0, None
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                sizes.append(size)
                if count is not None:
                    queries.append(int(count))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1) if wall else None,
        "p50_ms": pct(0.50) if latencies else None,
        "p95_ms": pct(0.95) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "statuses": statuses,
        "queries": sorted(set(queries)),
        "bytes": int(statistics.median(sizes)) if sizes else 0,
    }


# --- The run ----------------------------------------------------------------------------


def scenarios(fx: dict) -> dict:
    """name -> (make(i) for the i-th request, expected status, limits per concurrency)."""
    csrf = fx["csrf"]
    quiz = fx["quiz"]

    def get(path, session):
        return lambda _i: ("GET", path, cookies(session), None)

    def quiz_post(i):
        item = quiz[i]
        headers = cookies(item["session"], csrf)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return ("POST", fx["quiz_url"], headers, item["body"])

    def quiz_start(i):  # a learner who has not tried the quiz opens it: a real start
        return ("GET", fx["quiz_url"], cookies(fx["quiz_start"][i]), None)

    quick = {1: (300, 12), 16: (600, 15)}
    heavy = {1: (20, 15), 16: (32, 30)}
    return {
        "floor": (get("/bench/floor/", None), 200, quick),
        "catalogue": (get(fx["catalog_url"], fx["learner_many"]), 200, quick),
        "course_page": (get(fx["course_url"], fx["learner_many"]), 200, quick),
        "module_page": (get(fx["module_url"], fx["learner_many"]), 200, quick),
        "my_learning": (get("/min-laering/", fx["learner_many"]), 200, quick),
        "quiz_start": (quiz_start, 200, quick),
        "quiz_submit": (quiz_post, 302, quick),
        "hr_dashboard_oslo": (get("/hr/", fx["hr_oslo"]), 200, heavy),
        "hr_team_oslo": (get(fx["team_unit_url"], fx["hr_oslo"]), 200, quick),
        "quiz_statistics": (get(fx["quiz_stats_url"], fx["editor"]), 200, heavy),
        "export_xlsx_oslo": (
            get("/hr/personer/?format=xlsx", fx["hr_oslo"]),
            200,
            {1: (3, 60), 16: (16, 240)},
        ),
    }


# Each request uses up a prepared attempt (submit) or learner (start): name -> fixture key.
FRESH = {"quiz_submit": "quiz", "quiz_start": "quiz_start"}
WARM_PER_WORKER = 3

SMALL = {  # the same pages over little data, for "query counts constant across data sizes"
    "my_learning": ("/min-laering/", "learner_one"),
    "hr_dashboard_oslo": ("/hr/", "hr_small"),
    "export_xlsx_oslo": ("/hr/personer/?format=xlsx", "hr_small"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--scim", type=int, default=2000, help="people to provision")
    parser.add_argument(
        "--only-scim", action="store_true", help="only the SCIM figure, over the demo data"
    )
    parser.add_argument(
        "--only-hr",
        action="store_true",
        help="only the HR dashboard figures and the raw GROUP BY (bench/results-hr.json)",
    )
    parser.add_argument("--assign", type=int, default=5000, help="people in the assigned unit")
    parser.add_argument(
        "--only-assign", action="store_true", help="only the assignment figure, on scale data"
    )
    parser.add_argument(
        "--only-certificates",
        action="store_true",
        help="only the certificate figure (--certificates N of them), on scale data",
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="HR dashboards over the national data set, with and without the others",
    )
    args = parser.parse_args()
    if args.national:
        national(args)
        return

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not database_url.startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: DATABASE_URL=postgres://...")
    have_broker = broker_up(BROKER)
    env = bench_env(database_url, BROKER if have_broker else "")
    results: dict = {"machine": machine(), "database": urlsplit(database_url).path.lstrip("/")}
    timings = results["setup_seconds"] = {}

    t0 = time.monotonic()
    generated = ensure_database(database_url, fresh=args.fresh)
    manage(env, "migrate", "--no-input", "-v0")
    timings["migrate"] = round(time.monotonic() - t0, 1)
    if args.only_scim:
        only_scim(env, args)
        return
    if not generated:
        t0 = time.monotonic()
        manage(env, "seed_demo")
        timings["seed_demo"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        manage(env, "generate_scale_data", "--seed", args.seed)
        timings["generate_scale_data"] = round(time.monotonic() - t0, 1)
    else:
        log("scale data already in the database: reusing it (--fresh to start over)")
    if args.only_assign:
        outcome = assignment(env, args.assign)
        print(json.dumps(outcome, indent=2))
        return
    if args.only_certificates:
        outcome = certificates(env, have_broker, args.certificates)
        print(json.dumps(outcome, indent=2))
        return
    manage(env, "collectstatic", "--no-input", "-v0")
    log("preparing sessions and quiz attempts")
    fx = django_side(env, "setup", "1100")
    results["data"] = {
        key: fx[key]
        for key in (
            "oslo_people",
            "small_municipality",
            "small_people",
            "learner_many_enrolments",
            "quiz_stats_attempts",
            "quiz_stats_compute_seconds",
            "oslo_units",
            "team_people",
        )
    }
    results["data"].update(counts(database_url))

    port = free_port()
    log(f"gunicorn on {HOST}:{port}, {args.workers} workers")
    server = start_gunicorn(env, port, args.workers)
    results["server"] = {
        "workers": args.workers,
        "worker_class": "sync",
        "settings": "config.settings.bench",
    }
    pages: dict = {}
    try:
        used = dict.fromkeys(FRESH, 0)
        chosen = scenarios(fx)
        if args.only_hr:
            chosen = {k: v for k, v in chosen.items() if k in ("floor", *HR_PAGES)}
        for name, (make, expected, limits) in chosen.items():
            pages[name] = {"expected_status": expected}
            per_worker = 1 if name.startswith("export") else WARM_PER_WORKER
            for concurrency, (count, seconds) in limits.items():
                if name in FRESH:  # warm and measure on prepared items never used before
                    pool = len(fx[FRESH[name]])
                    warm = warm_up(
                        port,
                        offset_make(make, used[name]),
                        server.pid,
                        per_worker=per_worker,
                        max_requests=min(4 * per_worker * args.workers, pool - used[name]),
                    )
                    used[name] += warm["requests"]
                    count = min(count, pool - used[name])
                    run_make = offset_make(make, used[name])
                else:
                    warm = warm_up(
                        port,
                        make,
                        server.pid,
                        per_worker=per_worker,
                        max_requests=4 * per_worker * args.workers,
                    )
                    run_make = make
                log(f"{name} x{concurrency} (warm-up: {warm['requests']} requests)")
                with RSSWatch(server.pid) as watch:
                    outcome = run_load(
                        port,
                        run_make,
                        concurrency=concurrency,
                        max_requests=count,
                        max_seconds=seconds,
                    )
                if name.startswith("export"):
                    outcome.update(watch.result())
                if name in FRESH:
                    used[name] += outcome["requests"]
                outcome["warm_up"] = warm
                pages[name][f"c{concurrency}"] = outcome
            if name in SMALL:
                path, who = SMALL[name]
                # Twice, the second counted: the large pages are counted warm too (a first
                # request fills the per-language caches the later ones read).
                for _ in range(2):
                    status, _h, _size, count = request(port, "GET", path, cookies(fx[who]))
                pages[name]["small_data_queries"] = int(count) if count else None
                pages[name]["small_data_status"] = status
        if not args.only_hr:
            results["scim"] = scim_provisioning(env, port, args.scim)
    finally:
        stop(server)
    results["pages"] = pages

    log("raw SQL baselines")
    results["sql"] = django_side(env, "sql")
    if args.only_hr:
        results["goals"] = hr_goals(results)
        results["total_seconds"] = round(time.monotonic() - STARTED, 1)
        path = ROOT / "bench" / "results-hr.json"
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print_table(results)
        return
    # Every figure is written as soon as it is measured, so a step that fails later (or a run
    # that is stopped) keeps what was measured before it; "complete" says whether all ran.
    save_partial(results)
    log("export memory in a separate process")
    results["export_memory"] = django_side(env, "export-mem", fx["hr_oslo"])
    save_partial(results)
    results["certificates"] = certificates(env, have_broker, args.certificates)
    save_partial(results)
    results["assignment"] = assignment(env, args.assign)
    results["goals"] = goals(results)
    results["total_seconds"] = round(time.monotonic() - STARTED, 1)
    results["complete"] = True
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)


def save_partial(results: dict) -> None:
    """bench/results.json with what has been measured so far, marked incomplete."""
    partial = {**results, "complete": False}
    (ROOT / "bench" / "results.json").write_text(json.dumps(partial, indent=2, ensure_ascii=False))


# --- The national data set --------------------------------------------------------------


def national_picks() -> dict[str, str]:
    """Oslo, the municipality of median population and the one at the tenth percentile."""
    import csv

    path = ROOT / "learners" / "data" / "municipality_population.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(
            csv.DictReader(handle), key=lambda row: (int(row["population"]), row["number"])
        )
    return {
        "oslo": OSLO,
        "mid": rows[len(rows) // 2]["number"],
        "small": rows[len(rows) // 10]["number"],
    }


def national_database(url: str, seed: str, only: list[str] | None) -> tuple[dict, dict]:
    """The database at `url` with the national set (or only the municipalities in `only`),
    generated once; returns its environment and setup times."""
    env = bench_env(url, "")
    timings: dict = {}
    t0 = time.monotonic()
    generated = ensure_database(url, fresh=False)
    manage(env, "migrate", "--no-input", "-v0")
    if not generated:
        manage(env, "seed_demo")
        extra = ["--only", ",".join(only)] if only else []
        manage(env, "generate_scale_data", "--national", "--seed", seed, *extra)
        timings["generate_seconds"] = round(time.monotonic() - t0, 1)
    manage(env, "collectstatic", "--no-input", "-v0")
    return env, timings


def dashboards(env: dict, workers: int, numbers: dict[str, str], stats: dict | None = None):
    """The HR dashboard of each municipality in `numbers` (and with `stats` the busiest
    quiz's statistics page), 1 connection, after warming every worker."""
    sessions = django_side(env, "hr-sessions", *numbers.values())
    pages = {key: ("/hr/", sessions[number]) for key, number in numbers.items()}
    if stats:
        pages["quiz_statistics"] = (stats["quiz_stats_url"], stats["editor"])
    port = free_port()
    server = start_gunicorn(env, port, workers)
    result = {}
    try:
        for key, (path, session) in pages.items():
            make = (lambda p, s: lambda _i: ("GET", p, cookies(s), None))(path, session)
            for i in range(workers):
                request(port, *make(i))
            log(f"{path} ({key}) x1")
            outcome = run_load(port, make, concurrency=1, max_requests=30, max_seconds=30)
            if key in numbers:
                outcome["municipality"] = numbers[key]
                outcome["people"] = sessions["people"][numbers[key]]
            result[key] = outcome
    finally:
        stop(server)
    return result


def national(args) -> None:
    base = os.environ.get("DATABASE_URL", DEFAULT_DB)
    parts = urlsplit(base)
    name = parts.path.lstrip("/")
    full_url = urlunsplit(parts._replace(path=f"/{name}_national"))
    alone_url = urlunsplit(parts._replace(path=f"/{name}_national_alone"))
    picks = national_picks()
    results: dict = {"machine": machine(), "picks": picks}
    env, results["setup_national"] = national_database(full_url, args.seed, None)
    log("quiz statistics of the busiest quiz, computed as the hourly task does")
    stats = django_side(env, "quiz-stats")
    results["quiz_statistics"] = {
        key: stats[key] for key in ("quiz_stats_attempts", "quiz_stats_compute_seconds")
    }
    results["national"] = dashboards(env, args.workers, picks, stats)
    results["quiz_statistics"]["page"] = results["national"].pop("quiz_statistics")
    results["data"] = counts(full_url)
    alone = {"mid": picks["mid"], "small": picks["small"]}
    env, results["setup_alone"] = national_database(alone_url, args.seed, list(alone.values()))
    results["alone"] = dashboards(env, args.workers, alone)
    results["total_seconds"] = round(time.monotonic() - STARTED, 1)
    (ROOT / "bench" / "results-national.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False)
    )
    print(f"\nnational data: {results['data']}")
    print(f"{'HR dashboard':28} {'people':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for where in ("national", "alone"):
        for key, o in results[where].items():
            label = f"{o['municipality']} {key} ({where})"
            q = ",".join(map(str, o["queries"]))
            print(f"{label:28} {o['people']:>7} {o['p50_ms']!s:>8} {o['p95_ms']!s:>8} {q:>8}")
    for key in alone:
        with_all, by_itself = results["national"][key], results["alone"][key]
        ratio = (with_all["p50_ms"] or 0) / (by_itself["p50_ms"] or 1)
        print(
            f"{key}: p50 {with_all['p50_ms']} ms among 357 municipalities, "
            f"{by_itself['p50_ms']} ms alone ({ratio:.2f}x); queries "
            f"{with_all['queries']} vs {by_itself['queries']}"
        )
    q = results["quiz_statistics"]
    print(
        f"quiz statistics, busiest quiz ({q['quiz_stats_attempts']} attempts, computed in "
        f"{q['quiz_stats_compute_seconds']} s): page p50 {q['page']['p50_ms']} ms, "
        f"queries {q['page']['queries']}"
    )
    print(f"total {results['total_seconds']} s; results in bench/results-national.json")


def offset_make(make, offset: int):
    """`make` shifted by `offset`: request i uses prepared item offset + i."""
    return lambda i: make(offset + i)


SCIM_MUNICIPALITY = "4601"  # Bergen, from the demo seed


def scim_provisioning(env: dict, port: int, count: int) -> dict:
    """POST `count` new people to /scim/v2/Users with the municipality's token, as an identity
    system's first sync does, over 2 x cores connections: people per second."""
    token = django_side(env, "scim-token", SCIM_MUNICIPALITY)["token"]
    run = secrets.token_hex(4)
    headers = {
        "Host": HOST,
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/scim+json",
    }

    def make(i):
        email = f"scim-{run}-{i}@bench.endra.example"
        body = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": email,
            "externalId": f"{run}-{i}",
            "name": {"givenName": "Kari", "familyName": f"Benk {i}"},
            "emails": [{"value": email, "type": "work", "primary": True}],
            "active": True,
        }
        return ("POST", "/scim/v2/Users", headers, json.dumps(body))

    concurrency = 2 * (os.cpu_count() or 1)
    log(f"SCIM: {count} people over {concurrency} connections")
    outcome = run_load(port, make, concurrency=concurrency, max_requests=count, max_seconds=600)
    created = outcome["statuses"].get("201", 0)
    outcome["people"] = created
    outcome["per_second"] = round(created / outcome["seconds"], 1) if outcome["seconds"] else 0
    return outcome


def counts(database_url: str) -> dict:
    import psycopg

    tables = {
        "municipalities": "learners_municipality",
        "users": "learners_user",
        "org_units": "learners_orgunit",
        "enrolments": "learners_enrolment",
        "module_progress": "learners_moduleprogress",
        "quiz_attempts": "learners_quizattempt",
        "assigned_people": "learners_assignmentperson",
        "learning_paths": "courses_learningpath",
    }
    with psycopg.connect(database_url) as conn:
        result = {
            key: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for key, table in tables.items()
        }
        result["oslo_tree_depth"] = conn.execute(
            "SELECT max(depth) FROM learners_orgunit o JOIN learners_municipality m"
            " ON m.id = o.municipality_id WHERE m.number = '0301'"
        ).fetchone()[0]
    return result


def certificates(env: dict, have_broker: bool, count: int) -> dict:
    if not have_broker:
        log(f"no broker at {BROKER}: certificates run in process (eager)")
        result = django_side(env, "certificates", str(count))
        result["note"] = "no Redis: tasks ran eagerly in one process"
        return result
    celery = str(Path(PY).parent / "celery")
    subprocess.run(  # noqa: S603  # nosec B603
        [celery, "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    concurrency = os.cpu_count() or 1
    worker = subprocess.Popen(  # noqa: S603  # nosec B603
        [
            celery,
            "-A",
            "config",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        worker_ready(celery, env, worker)
        log(f"certificates: {count} through the Celery worker ({concurrency} processes)")
        result = django_side(env, "certificates", str(count))
        result["worker_concurrency"] = concurrency
        return result
    finally:
        stop(worker)


def worker_ready(celery: str, env: dict, worker: subprocess.Popen) -> None:
    """Wait until the worker answers a ping (booted, its processes forked), so its start-up
    is not counted in the figure; bounded, and an early exit is an error."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited with {worker.returncode}")
        answered = subprocess.run(  # noqa: S603  # nosec B603
            [celery, "-A", "config", "inspect", "ping", "--timeout", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if answered.returncode == 0:
            return
    raise SystemExit("the Celery worker did not answer a ping within 180 s")


def assignment(env: dict, people: int) -> dict:
    log(f"assigning a learning path to an Oslo unit of about {people} people")
    return django_side(env, "assign", str(people))


def only_scim(env: dict, args) -> None:
    """The SCIM figure alone (a quick check; results.json is left as it is)."""
    manage(env, "seed_demo")
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        outcome = scim_provisioning(env, port, args.scim)
    finally:
        stop(server)
    print(json.dumps(outcome, indent=2))
    print(f"SCIM: {outcome['people']} people in {outcome['seconds']} s = {outcome['per_second']}/s")


HR_PAGES = ("hr_dashboard_oslo", "hr_team_oslo")


def hr_goals(r: dict) -> dict:
    """The HR dashboard against a hand-written GROUP BY over the same rows, from one run; and
    a small team's page against all of Oslo's."""
    pages = r["pages"]
    dash = pages["hr_dashboard_oslo"]["c1"]["p50_ms"]
    team = pages["hr_team_oslo"]["c1"]["p50_ms"]
    raw = r["sql"]["raw_group_by"]["median_ms"]
    return {
        "hr_dashboard_oslo": {
            "value": f"p50 {dash} ms = {dash / raw:.2f}x the raw GROUP BY ({raw} ms)",
            "goal": "<= 0.25x",
            "met": dash <= 0.25 * raw,
        },
        "hr_team_vs_oslo": {
            "value": (
                f"a {r['data']['team_people']}-person team's page p50 {team} ms = "
                f"{team / dash:.2f}x Oslo's ({r['data']['oslo_units']} units)"
            ),
            "goal": "< 1x (costs follow the unit)",
            "met": team < dash,
        },
    }


def goals(r: dict) -> dict:
    pages = r["pages"]
    floor = pages["floor"]["c16"]["rps"] or 1
    floor1 = pages["floor"]["c1"]["rps"] or 1
    module = pages["module_page"]["c16"]["rps"] or 0
    module1 = pages["module_page"]["c1"]["rps"] or 0
    start = pages["quiz_start"]["c16"]["rps"] or 0
    start1 = pages["quiz_start"]["c1"]["rps"] or 0
    export_mb = max(
        r["export_memory"]["delta_mb"],
        pages["export_xlsx_oslo"]["c1"].get("worker_rss_delta_mb", 0),
    )
    constant = {
        name: {
            "large": pages[name]["c1"]["queries"],
            "small": pages[name].get("small_data_queries"),
        }
        for name in pages
        if name in SMALL
    }
    stats = pages["quiz_statistics"]["c1"]
    scim = r["scim"]
    assign = r["assignment"]
    certs = r["certificates"]
    return {
        "certificates_per_second": {
            "value": (
                f"{certs['per_second']}/s ({certs['rendered']} of {certs['requested']} issued, "
                f"signed and rendered by {certs.get('worker_concurrency', 1)} worker processes)"
            ),
            "goal": ">= 20/s on an idle machine",
            "met": (certs["per_second"] or 0) >= 20 and certs["rendered"] == certs["requested"],
        },
        "assign_unit_of_5000": {
            "value": (
                f"{assign['seconds']} s for {assign['people']} people (request "
                f"{assign['request_seconds']} s, {assign['request_queries']} queries; job "
                f"{assign['job_seconds']} s in {assign['batches']} batches, "
                f"{assign['queries_per_batch']} queries each)"
            ),
            "goal": "< 30 s for 5,000 people; the request answers at once",
            "met": assign["seconds"] < 30 and assign["request_seconds"] < 2,
        },
        "quiz_statistics_busiest": {
            "value": (
                f"p50 {stats['p50_ms']} ms, queries {stats['queries']}, over "
                f"{r['data']['quiz_stats_attempts']} attempts (computed in the background in "
                f"{r['data']['quiz_stats_compute_seconds']} s)"
            ),
            "goal": "< 2000 ms with a fixed number of queries",
            "met": (stats["p50_ms"] or 10**9) < 2000 and len(stats["queries"]) == 1,
        },
        "scim_people_per_second": {
            "value": f"{scim['per_second']} people/s ({scim['people']} provisioned)",
            "goal": ">= 200/s on 2 cores",
            "met": scim["per_second"] >= 200,
        },
        "module_page_vs_floor": {
            "value": (
                f"{module / floor:.1%} of the floor's req/s at 16 connections "
                f"({module1 / floor1:.1%} at 1); queries {pages['module_page']['c1']['queries']}"
            ),
            "goal": ">= 25% (16 connections)",
            "met": module / floor >= 0.25,
        },
        **hr_goals(r),
        "quiz_start_vs_floor": {
            "value": (
                f"{start / floor:.1%} of the floor's req/s at 16 connections "
                f"({start1 / floor1:.1%} at 1), {start} starts/s, p95 "
                f"{pages['quiz_start']['c16']['p95_ms']} ms; queries "
                f"{pages['quiz_start']['c1']['queries']}"
            ),
            "goal": "reported: a start should cost about what a module page does",
            "met": start / floor >= 0.25,
        },
        "export_peak_memory": {
            "value": f"{export_mb} MB over the worker's size before",
            "goal": "< 150 MB",
            "met": export_mb < 150,
        },
        "query_counts_constant": {
            "value": constant,
            "goal": "same count for little and much data",
            "met": all(
                len(v["large"]) == 1 and v["large"][0] == v["small"] for v in constant.values()
            ),
        },
    }


def print_table(r: dict) -> None:
    print()
    print(
        f"{'page':20} {'c':>3} {'req':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}"
    )
    for name, page in r["pages"].items():
        for key in ("c1", "c16"):
            o = page[key]
            q = ",".join(map(str, o["queries"]))
            cells = (o["concurrency"], o["requests"], o["rps"], o["p50_ms"], o["p95_ms"], q)
            print(f"{name:20} " + " ".join(f"{c!s:>8}" for c in cells))
    s = r["sql"]
    print(
        f"\nraw GROUP BY (Oslo): {s['raw_group_by']['median_ms']} ms; dashboard recount SQL: "
        f"{s['dashboard_orm_sql']['median_ms']} ms; roll-up SQL: "
        f"{s['dashboard_rollup_sql']['median_ms']} ms ({s['dashboard_rollup_sql']['rows']} rows); "
        f"export SQL: {s['export_orm_sql']['median_ms']} ms ({s['export_orm_sql']['rows']} rows)"
    )
    if "export_memory" not in r:
        for name, goal in r["goals"].items():
            print(f"goal {name}: {'MET' if goal['met'] else 'NOT MET'} - {goal['value']}")
        return
    m = r["export_memory"]
    print(
        f"export memory: +{m['delta_mb']} MB (peak {m['peak_rss_mb']} MB) "
        f"in {m['seconds']} s, {m['bytes']} bytes"
    )
    c = r["certificates"]
    print(
        f"certificates: {c['rendered']}/{c['requested']} in {c['seconds']} s = {c['per_second']}/s"
    )
    sc = r["scim"]
    print(
        f"SCIM: {sc['people']} people in {sc['seconds']} s = {sc['per_second']}/s "
        f"(p50 {sc['p50_ms']} ms, p95 {sc['p95_ms']} ms, statuses {sc['statuses']})"
    )
    a = r["assignment"]
    print(
        f"assignment: {a['people']} people in {a['seconds']} s (request {a['request_seconds']} s,"
        f" job {a['job_seconds']} s, {a['batches']} batches, {a['queries_per_batch']} queries each)"
    )
    for name, goal in r["goals"].items():
        print(
            f"goal {name}: {'MET' if goal['met'] else 'NOT MET'} - {goal['value']} "
            f"(goal {goal['goal']})"
        )
    print(f"total {r['total_seconds']} s; results in bench/results.json")


if __name__ == "__main__":
    main()
