"""Dashboard speed and memory with many issue statements in the store (issues: dashboard, a
whole company).

    .venv/bin/python -m synth.bench.pages [STATEMENTS] [SESSIONS] [postgres|sqlite]

Builds the store (by default on a throwaway PostgreSQL server from Debian's package, or the
server SYNTH_BENCH_PG_URL names) by importing and fitting the bundled sample, then copying its
notes, statements and assignments, each copy met by partners of its own, until it holds
STATEMENTS issue statements. Prints each page's server-side run time through AppTest (first
view, after a curation edit, after an import, again), and the home page's time to show its
themes for SESSIONS concurrent headless-Chromium sessions, with the server's memory."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from synth import auth, pipeline
from synth.bench.common import scratch, timed
from synth.config import PROJECT_ROOT
from synth.store import open_store

PAGES = ["surfacing", "themes", "regions", "export", "actions", "curate", "importer"]  # an admin's pages


def build(settings, target: int) -> int:
    store = open_store(settings)
    have = store.counts()["issues"]  # a store built by an earlier run (SYNTH_BENCH_DIR) is reused
    if have >= target:
        store.close()
        return have
    pipeline.import_file(store, settings, PROJECT_ROOT / "data" / "sample_notes.csv", assign=False)
    pipeline.fit(store, settings)
    issues = store.counts()["issues"]
    store.copy_notes(max(0, int(np.ceil(target / issues)) - 1))
    total = store.counts()["issues"]
    store.close()
    return total


def _import_a_few(store, settings, k: int) -> None:
    """New data as a coordinator brings it: five new notes imported (and assigned to themes)."""
    import csv

    from synth import sample

    # A seed of its own each time: a store reused from an earlier run (SYNTH_BENCH_DIR) already
    # holds the notes of a fixed seed, and an import of duplicates changes no count.
    rows, _ = sample.generate(5, seed=time.time_ns() % 2**31)
    path = Path(settings.models_dir).parent / f"bench-import-{k}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "Session ID": f"BENCH-{time.time_ns()}-{i}"} for i, r in enumerate(rows))
    added = pipeline.import_file(store, settings, path, who="bench").notes_added
    if added != len(rows):
        raise RuntimeError(f"the benchmark's import added {added} of its {len(rows)} notes")


def apptest_timings(settings) -> None:
    from streamlit.testing.v1 import AppTest

    from synth import themes

    store = open_store(settings)
    ids = [int(t) for t in store.themes_frame()["id"]]  # largest first
    _import_a_few(store, settings, 0)  # loads spaCy and the embedder in this process, outside the timings

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    at.run()
    at.text_input[0].input("admin")
    at.text_input[1].input("admin-demo")
    at.button[0].click()
    t = time.perf_counter()
    at.run()
    print(f"  {'sign-in + home, fresh server':<12} {time.perf_counter() - t:6.2f} s")
    print(f"  {'page':<12} {'first in a fresh server':>24} {'after a rename':>15} {'after a merge':>14} "
          f"{'after an import':>16} {'again':>8}")
    for k, page in enumerate(PAGES, start=1):
        at.switch_page(f"synth/dashboard/pages/{page}.py")
        runs = []
        for change in (None, "rename", "merge", "import", None):
            if change == "rename":  # changes what a theme is called, not its counts
                themes.rename(store, ids[0], f"Renamed by the benchmark {k}", who="bench")
            elif change == "merge":  # moves statements between themes: the views are counted again
                themes.merge(store, ids[0], ids[-k], who="bench")
            elif change == "import":  # an import changes the statements too
                _import_a_few(store, settings, k)
            t = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t)
        print(f"  {page:<12} {runs[0]:22.2f} s {runs[1]:13.2f} s {runs[2]:12.2f} s {runs[3]:14.2f} s {runs[4]:6.2f} s "
              f"{'(exception!)' if at.exception else ''}")


def _relay(listen_port: int, server_port: int, log_path: str) -> None:
    """A TCP relay in front of the server, run in its own process: it notes when each
    connection's browser message goes to the server and when the server's message carrying
    the home page's themes passes back; the difference is the server's side of a page view,
    free of the time browsers take to click and to draw. While the file `log_path + ".hold"`
    exists, browser messages are held back, so that the bench can release all sessions'
    requests at the same moment (20 slow tabs on 2 cores otherwise send them seconds apart)."""
    import asyncio as aio

    log = open(log_path, "a", buffering=1)
    gate = Path(log_path + ".hold")

    async def pipe(reader, writer, conn: int, upstream: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                # 0x82: a final binary frame from the browser (Streamlit's messages are binary).
                if upstream and chunk[0] == 0x82:
                    if gate.exists():
                        log.write(f"{conn} held {time.time()}\n")
                        while gate.exists():
                            await aio.sleep(0.002)
                    log.write(f"{conn} sent {time.time()}\n")
                elif not upstream and b"Top themes" in chunk:
                    log.write(f"{conn} themes {time.time()}\n")
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, aio.CancelledError):
            pass
        finally:
            writer.close()

    count = 0

    async def handle(reader, writer) -> None:
        nonlocal count
        count += 1
        up_reader, up_writer = await aio.open_connection("127.0.0.1", server_port)
        await aio.gather(pipe(reader, up_writer, count, True), pipe(up_reader, writer, count, False))

    async def serve() -> None:
        server = await aio.start_server(handle, "127.0.0.1", listen_port)
        async with server:
            await server.serve_forever()

    aio.run(serve())


def _relay_events(log_path: str, since: float) -> list[tuple[str, str, float]]:
    """(connection, held | sent | themes, time) from the relay's log, from `since` on."""
    events = [(conn, kind, float(at)) for conn, kind, at in (line.split() for line in Path(log_path).read_text().splitlines())]
    return [e for e in events if e[2] >= since]


def _server_side(log_path: str, since: float) -> list[float]:
    """Per connection: seconds from its first message after `since` to the themes coming back."""
    sent: dict[str, float] = {}
    replied: dict[str, float] = {}
    for conn, kind, at in _relay_events(log_path, since):
        if kind == "sent":
            sent.setdefault(conn, at)
        elif kind == "themes" and conn in sent:
            replied.setdefault(conn, at)
    return [replied[c] - sent[c] for c in replied]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _sessions(url: str, n: int, server_pid: int, relay_log: str) -> tuple[list, list[float]]:
    from playwright.async_api import async_playwright

    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=args)

        sockets: dict = {}

        async def open_signed_out():
            ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
            page = await ctx.new_page()
            sockets[page] = []
            page.on("websocket", lambda ws: sockets[page].append(ws))
            await page.goto(url, timeout=120_000)
            await page.get_by_label("Username").fill("exec")
            await page.get_by_label("Password", exact=True).fill("exec-demo")
            return ctx, page

        async def sign_in(page) -> None:
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_text("Top themes").wait_for(timeout=300_000)
            await page.get_by_role("link", name="Export").click()
            await page.get_by_text("Preview", exact=True).wait_for(timeout=300_000)

        async def home(page) -> tuple[float, float]:
            """When (perf_counter) the server's message carrying the themes reached the browser,
            and when the themes were on screen, after clicking the home page's link."""
            replied = asyncio.get_running_loop().create_future()

            def on_frame(payload) -> None:
                if not replied.done() and b"Top themes" in (payload if isinstance(payload, bytes) else payload.encode()):
                    replied.set_result(time.perf_counter())

            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            for ws in sockets[page]:
                ws.on("framereceived", on_frame)
            await page.get_by_role("link", name="What's surfacing").click()
            await page.get_by_text("Top themes").wait_for(timeout=300_000)
            shown = time.perf_counter()
            return await replied, shown

        # The browsers share these 2 cores with the server, so tabs open and sign in one by one
        # (20 tabs parsing Streamlit's bundle and 20 bcrypt checks at once measure Chromium and
        # bcrypt, not synth); then all of them click from the Export page to the home page, the
        # relay holds their requests until all 20 are in and lets them reach the server at the
        # same moment, and the clocks run from that moment.
        ctx, page = await open_signed_out()
        await sign_in(page)
        await home(page)  # warm the server's caches once, as a real deployment would be
        for link, shown in (("Themes", "Search themes"), ("Regions and offices", "Themes by region")):
            await page.get_by_role("link", name=link).click()  # every page's figures are in the server's memory
            await page.get_by_text(shown).first.wait_for(timeout=300_000)
        await ctx.close()
        opened = []
        for _ in range(n):
            ctx, page = await open_signed_out()
            await sign_in(page)
            opened.append((ctx, page))
        async def release_together() -> float:
            """Open the relay's gate once every session's request is waiting at it (or after 60 s);
            returns when (perf_counter)."""
            for _ in range(600):
                if sum(kind == "held" for _, kind, _ in _relay_events(relay_log, since)) >= n:
                    break
                await asyncio.sleep(0.1)
            gate.unlink()
            return time.perf_counter()

        gate = Path(relay_log + ".hold")
        cpu, t, since = _cpu_seconds(server_pid), time.perf_counter(), time.time()
        gate.touch()
        done, released = await asyncio.gather(asyncio.gather(*[home(page) for _, page in opened]),
                                              release_together())
        times = [(replied - released, shown - released) for replied, shown in done]
        server_side = _server_side(relay_log, since)
        print(f"  server CPU while {n} sessions loaded the home page: {_cpu_seconds(server_pid) - cpu:.2f} s "
              f"over {time.perf_counter() - t:.2f} s of wall time")
        for ctx, _ in opened:
            await ctx.close()
        await browser.close()
    return list(times), server_side


def concurrent_home(settings, n: int) -> None:
    port, relay_port = _free_port(), _free_port()
    relay_log = str(Path(settings.models_dir).parent / "relay.log")
    env = {**os.environ, **settings.to_env()}
    # Users' browsers run on their own machines. Here they share the server's cores, so the
    # server (and the relay) get core 0 and the browsers the others: the server-side figure
    # is then the server's on one core, not a measure of 20 Chromium renderers.
    cores = sorted(os.sched_getaffinity(0))
    server_cores, browser_cores = (cores[:1], cores[1:]) if len(cores) > 1 else (cores, cores)
    pin = lambda: os.sched_setaffinity(0, server_cores)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
                             "--server.port", str(port)], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pin)
    relay = subprocess.Popen([sys.executable, "-c", "import sys; from synth.bench.pages import _relay; "
                              f"_relay({relay_port}, {port}, sys.argv[1])", relay_log], cwd=PROJECT_ROOT,
                             preexec_fn=pin)
    print(f"  server on core(s) {server_cores}, browsers on core(s) {browser_cores}")
    url = f"http://127.0.0.1:{relay_port}"  # the browsers reach the server through the relay
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        os.sched_setaffinity(0, browser_cores)  # inherited by Playwright's driver and its browsers
        os.nice(19)
        times, server_side = asyncio.run(_sessions(url, n, proc.pid, relay_log))
        rows = [("server side: request in, themes out (at the relay)", server_side),
                ("browser: the server's reply (themes) arrived", [t[0] for t in times]),
                ("browser: the themes were on screen", [t[1] for t in times])]
        print(f"  {n} requests released to the server together; times from that moment:")
        for what, got in rows:
            print(f"  {what:<52}: median {np.median(got):.2f} s, "
                  f"p95 {np.percentile(got, 95):.2f} s, max {max(got):.2f} s ({len(got)} sessions)")
        rss, peak = _memory_mb(proc.pid)
        print(f"  server memory after {n} sessions: {rss:,.0f} MB resident, peak {peak:,.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        relay.terminate()


def _database(kind: str):
    """The server to measure on: SYNTH_BENCH_PG_URL, else a throwaway one; none for SQLite."""
    if kind == "sqlite":
        return contextlib.nullcontext(None)
    if os.environ.get("SYNTH_BENCH_PG_URL"):
        return contextlib.nullcontext(os.environ["SYNTH_BENCH_PG_URL"])
    from synth.bench import postgres

    # A server sized for a dashboard's queries: the hash tables of the tallies fit in memory.
    return postgres.throwaway("shared_buffers=512MB", "work_mem=64MB")


def main(target: int = 100_000, sessions: int = 20, kind: str = "postgres") -> None:
    folder, settings = scratch("pages")
    with _database(kind) as url:
        if url:
            settings = dataclasses.replace(settings, db_url=url)
        print(f"store: {'PostgreSQL' if url else 'SQLite'}")
        with timed(f"build a store with about {target:,} issue statements"):
            total = build(settings, target)
        store = open_store(settings)
        tally = store.tally()
        sizes = {name: len(getattr(tally, name)) for name in ("themes", "regions", "offices", "places", "cohorts",
                                                               "when", "notes", "note_offices", "note_cohorts")}
        print(f"issue statements in the store: {total:,}; partners {tally.partners:,}, meetings "
              f"{tally.notes['notes'].sum():,}; rows of the whole company's tally: "
              + ", ".join(f"{name} {rows:,}" for name, rows in sizes.items()))
        store.close()
        auth.ensure_demo_users(Path(settings.users_file))
        os.environ.update(settings.to_env())
        print("AppTest server-side run per page:")
        apptest_timings(settings)
        rss, peak = _memory_mb(os.getpid())
        print(f"  this process (AppTest's server, with spaCy and the embedder loaded for the imports): "
              f"{rss:,.0f} MB resident, peak {peak:,.0f} MB")
        if sessions:
            concurrent_home(settings, sessions)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]), *sys.argv[3:4])
