"""Deadline load, durability under SIGKILL, and pgbench on the SQL of one save — in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maturity_bench \
        .venv/bin/python bench/load.py --users 200 --seconds 60 --out var/bench/load.json

Needs the national data set (``maturity generate national``): the users answer returns of the
open 2026 cycle. Targets 127.0.0.1 only; bounded by ``--seconds`` and ``--max-requests``.

1. Setup: ``--users`` accounts, each a contributor of one organisation with an unfinished 2026
   return and an API token (``maturity.accounts.services.api_token_create``).
2. Server: gunicorn (``maturity serve``) on 127.0.0.1:``--port``.
3. Load: one thread per user with a keep-alive ``http.client`` connection, saving its return's
   criteria one after another through ``PUT /api/v1/returns/{id}/answers/{item}`` with the
   version it last saw (a 409 gives the stored version, and the save is retried with it).
   Every 200 the server sends is appended to an acknowledgement log (return, item, version,
   value).
4. Durability: half-way through, the gunicorn master and every worker get SIGKILL; the server
   is started again; clients reconnect and carry on.
5. pgbench, in the same run, after the load (``--pgbench-seconds``; ``--pgbench-when during``
   runs it alongside instead): the statements one save ran (captured from
   ``connection.queries``) in a transaction that is rolled back at the end (a COMMIT would hit
   the answer-revision unique key on the second run), so its tps has no commit flush and is an
   upper bound: the ratio reported is conservative. After, not during, by default: the save's
   SQL takes the audit chain's lock, so pgbench alongside would queue our saves behind its
   own, and on two cores each would measure the other's use of the CPU.
6. Check: every acknowledged (return, item, version, value) must be an answer revision in the
   database. Checked and lost counts are reported (lost must be 0).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402

HOST = "127.0.0.1"


def setup(users: int, seed: int) -> list[dict]:
    from maturity.accounts.models import ApiToken, User
    from maturity.accounts.services import api_token_create, api_token_revoke, membership_grant
    from maturity.assessments.models import Cycle, Return, ReturnStatus
    from maturity.frameworks.selectors import get_edition

    cycle = Cycle.objects.filter(year=2026).order_by("-id").first()
    if cycle is None:
        raise SystemExit("No 2026 cycle: run `maturity generate national` first.")
    edition = get_edition(cycle.edition.edition_id)
    candidates = list(
        Return.objects.filter(
            cycle=cycle, status__in=[ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS]
        )
        .select_related("organisation")
        .order_by("id")
    )
    random.Random(seed).shuffle(candidates)
    chosen: list[Return] = []
    seen: set[int] = set()
    for r in candidates:  # one return per organisation, so memberships do not overlap
        if r.organisation_id not in seen:
            seen.add(r.organisation_id)
            chosen.append(r)
        if len(chosen) == users:
            break
    plan = []
    for i, r in enumerate(chosen):
        user, _ = User.objects.get_or_create(username=f"bench-user-{i:04d}")
        membership_grant(by=None, user=user, organisation=r.organisation, role="contributor")
        # Earlier runs' tokens are revoked: each account may hold only so many.
        for old in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            api_token_revoke(by=user, token=old)
        _, token = api_token_create(by=user, user=user, name=f"bench {time.time():.0f}")
        items = [c for spec in edition.scoring_specs(r.care_setting) for c in spec.criterion_ids]
        plan.append({"token": token, "return_id": r.pk, "items": items})
    return plan


def capture_save_sql(entry: dict) -> list[str]:
    """The SQL one answer save runs, as executed (parameters in place)."""
    from django.conf import settings

    from maturity.accounts.models import ApiToken
    from maturity.assessments.models import Answer, Return
    from maturity.assessments.services import answer_save

    prefix = entry["token"].split("_")[1]
    user = ApiToken.objects.get(prefix=prefix).user
    r = Return.objects.get(pk=entry["return_id"])
    item = entry["items"][-1]
    current = Answer.objects.filter(return_obj=r, item_id=item).first()
    # A value different from the stored one, so the save really writes (update or insert).
    value = "not_met" if current is not None and current.value == "met" else "met"
    settings.DEBUG = True
    # Captured in a transaction that is rolled back: pgbench replays exactly these statements
    # (same answer, same next version) without meeting a committed copy of its own revision.
    with transaction.atomic():
        reset_queries()
        answer_save(
            by=user,
            return_=r,
            item_id=item,
            value=value,
            expected_version=current and current.version,
        )
        queries = [q["sql"] for q in connection.queries]
        transaction.set_rollback(True)
    settings.DEBUG = False
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q for q in queries if not q.lstrip().upper().startswith(control)]


def pgbench_script(save_sql: list[str]) -> str:
    """The save's statements for pgbench, in a transaction rolled back at the end. The audit
    record's sequence number and previous hash are unique: the live load uses the captured ones,
    so pgbench takes random ones (sequence numbers far above the live range) to measure the same
    work without colliding."""
    lines = ["\\set seq random(1000000000, 2000000000)", "BEGIN;"]
    for q in save_sql:
        q = " ".join(q.split())
        if q.startswith('INSERT INTO "audit_auditrecord"'):
            q = re.sub(r"VALUES \((\d+),", "VALUES (:seq,", q, count=1)
            # previous_hash is unique and the live chain has moved on: a fresh one per insert.
            q = re.sub(
                r"'[0-9a-f]{64}', ('[0-9a-f]{64}')\)",
                r"md5(random()::text) || md5(random()::text), \1)",
                q,
                count=1,
            )
        lines.append(q.rstrip(";") + ";")
    lines.append("ROLLBACK;")
    return "\n".join(lines) + "\n"


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, MATURITY_ENV=os.environ.get("MATURITY_ENV", "demo"), DEBUG="0")
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/maturity"), "serve", "--host", HOST, "--port", str(port)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=60)
            c.request("GET", "/api/v1/returns/0")  # small: 401 without a token
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


def kill_server(proc: subprocess.Popen) -> int:
    """SIGKILL the gunicorn master and all its workers: its own process group (started with
    ``start_new_session``), so no process is left to shut down cleanly."""
    pids = [proc.pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat[2]) == proc.pid:  # pgid (fields after the command: state, ppid, pgrp)
                pids.append(int(entry.name))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return len(set(pids))


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--think", type=float, default=0.5, help="Mean pause between saves (s)")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument(
        "--pgbench-when",
        choices=["after", "during"],
        default="after",
        help="Run pgbench after the load (default: each has the machine to itself) or during it",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    probe = socket.socket()
    if probe.connect_ex((HOST, args.port)) == 0:
        raise SystemExit(f"Something already listens on {HOST}:{args.port}: choose --port.")
    probe.close()
    plan = setup(args.users, args.seed)
    save_sql = capture_save_sql(plan[0])
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    server_log = workdir / "server.log"
    proc = start_server(args.port, server_log)

    acks: list[tuple[int, str, int, str]] = []
    ack_log = (workdir / "acks.jsonl").open("a", buffering=1)  # the client's own record
    lat: list[float] = []
    codes: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    sent = [0]

    def user_loop(index: int, entry: dict) -> None:
        rng = random.Random(args.seed * 100_000 + index)
        conn = http.client.HTTPConnection(HOST, args.port, timeout=10)
        headers = {"Authorization": f"Bearer {entry['token']}", "Content-Type": "application/json"}
        versions: dict[str, int | None] = {}
        position = 0
        # Users arrive spread over one mean pause, not all in the same millisecond.
        time.sleep(rng.uniform(0, args.think))
        while not stop.is_set():
            with lock:
                if sent[0] >= args.max_requests:
                    return
                sent[0] += 1
            item = entry["items"][position % len(entry["items"])]
            value = rng.choice(["met", "met", "not_met", "na"])
            body = json.dumps({"value": value, "version": versions.get(item)})
            started = time.perf_counter()
            response = None
            for _attempt in range(2):
                reused = conn.sock is not None
                try:
                    conn.request(
                        "PUT", f"/api/v1/returns/{entry['return_id']}/answers/{item}", body, headers
                    )
                    response = conn.getresponse()
                    data = response.read()
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    # The server closes idle keep-alive connections (gunicorn's keepalive): like
                    # a browser, retry once at once on a new connection before calling it down.
                    if not reused:
                        break
            if response is None:
                with lock:
                    codes["connection_error"] = codes.get("connection_error", 0) + 1
                time.sleep(1.0)  # while the server is down: do not flood its restart
                continue
            elapsed = time.perf_counter() - started
            with lock:
                codes[str(response.status)] = codes.get(str(response.status), 0) + 1
                lat.append(elapsed)
            if response.status == 200:
                saved = json.loads(data)
                versions[item] = saved["version"]
                ack = (entry["return_id"], item, saved["version"], saved["value"])
                with lock:
                    acks.append(ack)
                    ack_log.write(json.dumps(ack) + "\n")
                position += 1
            elif response.status == 409:
                versions[item] = json.loads(data).get("current_version")
            else:
                position += 1
            time.sleep(rng.expovariate(1 / args.think) if args.think else 0)

    pg = None
    pg_out = workdir / "pgbench.out"

    def start_pgbench() -> subprocess.Popen | None:
        if connection.vendor != "postgresql":
            return None
        script = workdir / "save.sql"
        script.write_text(pgbench_script(save_sql))
        settings_db = connection.settings_dict
        return subprocess.Popen(
            ["pgbench", "-n", "-c", "8", "-j", "2", "-T", str(args.pgbench_seconds), "-f",
             str(script), "-h", settings_db["HOST"] or HOST, "-U", settings_db["USER"],
             settings_db["NAME"]],
            stdout=pg_out.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    if args.pgbench_when == "during":
        pg = start_pgbench()

    threads = [
        threading.Thread(target=user_loop, args=(i, e), daemon=True) for i, e in enumerate(plan)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    killed = 0
    downtime = 0.0
    if not args.no_kill:
        time.sleep(args.seconds / 2)
        k0 = time.perf_counter()
        killed = kill_server(proc)
        try:
            proc = start_server(args.port, server_log)
        except SystemExit:
            stop.set()
            raise
        downtime = time.perf_counter() - k0
    time.sleep(max(0.0, args.seconds - (time.perf_counter() - started)))
    stop.set()
    for t in threads:
        t.join(timeout=15)
    wall = time.perf_counter() - started
    ack_log.close()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)
    if args.pgbench_when == "after":
        pg = start_pgbench()

    pg_tps = None
    if pg is not None:
        pg.wait()
        for line in pg_out.read_text().splitlines():
            if line.startswith("tps ="):
                pg_tps = float(line.split()[2])

    # Every acknowledged save must be in the database as that answer revision.
    # A generated answer (version 1) has no revision row: a save of the value it already holds
    # is acknowledged with version 1 and writes nothing, so for version 1 without a revision the
    # answer row itself is the evidence.
    from maturity.assessments.models import Answer, AnswerRevision

    return_ids = [e["return_id"] for e in plan]
    stored = set(
        AnswerRevision.objects.filter(return_obj_id__in=return_ids).values_list(
            "return_obj_id", "item_id", "version", "new_value"
        )
    )
    revised_v1 = {(r, i) for r, i, v, _ in stored if v == 1}
    answers = {
        (r, i): v
        for r, i, v in Answer.objects.filter(return_obj_id__in=return_ids).values_list(
            "return_obj_id", "item_id", "version"
        )
    }
    lost = [
        a
        for a in acks
        if a not in stored
        and not (a[2] == 1 and (a[0], a[1]) not in revised_v1 and answers.get((a[0], a[1])))
    ]
    lat.sort()
    ok = codes.get("200", 0)
    result = {
        "users": args.users,
        "seconds": round(wall, 1),
        "requests": len(lat),
        "status_codes": codes,
        "saves_acknowledged": ok,
        "saves_per_s": round(ok / wall, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p95_ms": round(percentile(lat, 95) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "killed_processes": killed,
        "restart_seconds": round(downtime, 2),
        "durability_checked": len(acks),
        "durability_lost": len(lost),
        "save_sql_statements": len(save_sql),
        "pgbench_tps": pg_tps,
        "pgbench_when": args.pgbench_when,
        "think_s": args.think,
        "ratio_saves_to_pgbench_tps": round(ok / wall / pg_tps, 3) if pg_tps else None,
    }
    (workdir / "save_sql.txt").write_text("\n".join(save_sql))
    print(json.dumps(result, indent=1))
    print(f"(server log, pgbench output and the save's SQL are in {workdir})")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
