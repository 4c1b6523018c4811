"""Dashboard speed with 100,000 issue statements in the store (issue: dashboard).

    .venv/bin/python -m synth.bench.pages [STATEMENTS] [SESSIONS]

Builds the store by importing and fitting the bundled sample, then copying its notes,
statements and assignments (shifted to other note keys) until it holds STATEMENTS issue
statements. Prints each page's server-side run time through AppTest (cold, then warm), and
the home page's time to show its themes for SESSIONS concurrent headless-Chromium sessions."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from synth import auth, pipeline
from synth.bench.common import scratch, timed
from synth.config import PROJECT_ROOT
from synth.store import open_store

PAGES = ["surfacing", "themes", "regions", "export", "curate", "importer"]


def build(settings, target: int) -> int:  # noqa: ANN001
    store = open_store(settings)
    pipeline.import_file(store, settings, PROJECT_ROOT / "data" / "sample_notes.csv", assign=False)
    pipeline.fit(store, settings)
    with store.engine.begin() as conn:
        issues = conn.execute(sa.text("SELECT count(*) FROM statements WHERE is_issue")).scalar()
        copies = max(0, int(np.ceil(target / issues)) - 1)
        # Copies get ids shifted by k * 10^7, so no joins are needed to keep rows linked.
        for k in range(1, copies + 1):
            off = k * 10_000_000
            conn.execute(sa.text(
                "INSERT INTO notes (id, import_id, note_key, content_hash, meeting_date, region, office, partner_key, "
                "executive_key, redacted_text, raw_text) SELECT id + :off, import_id, note_key || '-c' || :k, "
                "content_hash || '-c' || :k, meeting_date, region, office, partner_key, executive_key, redacted_text, "
                "raw_text FROM notes WHERE id < 10000000"), {"k": k, "off": off})
            conn.execute(sa.text(
                "INSERT INTO statements (id, note_id, position, start_char, end_char, text, text_hash, is_issue, "
                "drop_reason, keyphrases) SELECT id + :off, note_id + :off, position, start_char, end_char, text, "
                "text_hash, is_issue, drop_reason, keyphrases FROM statements WHERE id < 10000000"), {"off": off})
            conn.execute(sa.text(
                "INSERT INTO assignments (statement_id, theme_id, run_id, score, method, pinned) SELECT "
                "statement_id + :off, theme_id, run_id, score, method, pinned FROM assignments "
                "WHERE statement_id < 10000000"), {"off": off})
        total = conn.execute(sa.text("SELECT count(*) FROM statements WHERE is_issue")).scalar()
    store.close()
    return total


def apptest_timings(settings) -> None:  # noqa: ANN001
    from streamlit.testing.v1 import AppTest

    from synth import themes

    store = open_store(settings)
    some_theme = int(store.themes_frame()["id"].iloc[0])

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    at.run()
    at.text_input[0].input("admin")
    at.text_input[1].input("admin-demo")
    at.button[0].click()
    t = time.perf_counter()
    at.run()
    print(f"  {'sign-in + home, fresh server':<12} {time.perf_counter() - t:6.2f} s")
    print(f"  {'page':<12} {'first in a fresh server':>24} {'first after new data':>22} {'again':>8}")
    for page in PAGES:
        at.switch_page(f"synth/dashboard/pages/{page}.py")
        runs = []
        for clear in (False, True, False):
            if clear:  # new data, as after an import: a curation edit moves the data version
                themes.hide(store, some_theme, "bench", hidden=False)
            t = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t)
        print(f"  {page:<12} {runs[0]:22.2f} s {runs[1]:20.2f} s {runs[2]:6.2f} s {'(exception!)' if at.exception else ''}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _sessions(url: str, n: int, server_pid: int) -> list[float]:
    from playwright.async_api import async_playwright

    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=args)

        sockets: dict = {}

        async def open_signed_out():  # noqa: ANN202
            ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
            page = await ctx.new_page()
            sockets[page] = []
            page.on("websocket", lambda ws: sockets[page].append(ws))
            await page.goto(url, timeout=120_000)
            await page.get_by_label("Username").fill("exec")
            await page.get_by_label("Password", exact=True).fill("exec-demo")
            return ctx, page

        async def sign_in(page) -> None:  # noqa: ANN001
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_text("Top themes").wait_for(timeout=300_000)
            await page.get_by_role("link", name="Export").click()
            await page.get_by_text("Preview").wait_for(timeout=300_000)

        async def home(page) -> tuple[float, float]:  # noqa: ANN001
            """Seconds from the click to the server's message carrying the themes, and to the
            themes shown on screen."""
            replied = asyncio.get_running_loop().create_future()

            def on_frame(payload) -> None:  # noqa: ANN001
                if not replied.done() and b"Top themes" in (payload if isinstance(payload, bytes) else payload.encode()):
                    replied.set_result(time.perf_counter())

            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            for ws in sockets[page]:
                ws.on("framereceived", on_frame)
            t = time.perf_counter()
            await page.get_by_role("link", name="What's surfacing").click()
            await page.get_by_text("Top themes").wait_for(timeout=300_000)
            shown = time.perf_counter() - t
            return (await replied) - t, shown

        # The browsers share these 2 cores with the server, so tabs open and sign in one by one
        # (20 tabs parsing Streamlit's bundle and 20 bcrypt checks at once measure Chromium and
        # bcrypt, not synth); then all of them go from the Export page to the home page at the
        # same moment, and the clock runs from that click to the home page's themes.
        ctx, page = await open_signed_out()
        await sign_in(page)
        await home(page)  # warm the server's caches once, as a real deployment would be
        await ctx.close()
        opened = []
        for _ in range(n):
            ctx, page = await open_signed_out()
            await sign_in(page)
            opened.append((ctx, page))
        cpu, t = _cpu_seconds(server_pid), time.perf_counter()
        times = await asyncio.gather(*[home(page) for _, page in opened])
        print(f"  server CPU while {n} sessions loaded the home page: {_cpu_seconds(server_pid) - cpu:.2f} s "
              f"over {time.perf_counter() - t:.2f} s of wall time")
        for ctx, _ in opened:
            await ctx.close()
        await browser.close()
    return list(times)


def concurrent_home(settings, n: int) -> None:  # noqa: ANN001
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
           "SYNTH_USERS_FILE": settings.users_file}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
                             "--server.port", str(port)], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        # Chromium runs at a lower priority than the server, as a user's browser runs on the user's
        # machine: on these 2 shared cores, 20 tabs drawing the page would otherwise starve it.
        os.nice(10)  # inherited by Playwright's driver and the browsers it starts, not the server
        times = asyncio.run(_sessions(url, n, proc.pid))
        for i, what in enumerate(["the server's reply (themes) arrived", "the themes were on screen"]):
            got = [t[i] for t in times]
            print(f"  {n} concurrent sessions, click to home page, {what}: median {np.median(got):.2f} s, "
                  f"p95 {np.percentile(got, 95):.2f} s, max {max(got):.2f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(target: int = 100_000, sessions: int = 20) -> None:
    folder, settings = scratch("pages")
    with timed(f"build a store with about {target:,} issue statements"):
        total = build(settings, target)
    print(f"issue statements in the store: {total:,}")
    auth.ensure_demo_users(Path(settings.users_file))
    for key, value in {"SYNTH_DB_URL": settings.db_url, "SYNTH_SECRET_FILE": settings.secret_file,
                       "SYNTH_USERS_FILE": settings.users_file}.items():
        os.environ[key] = value
    print("AppTest server-side run per page:")
    apptest_timings(settings)
    if sessions:
        concurrent_home(settings, sessions)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
