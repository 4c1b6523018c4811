"""No markup from notes, in a real browser: notes, labels, places and file names planted with
live links, images (a tracking beacon on a local server) and colour directives are shown as
their literal text on every page, and the browser never calls the beacon."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from synth.store import schema as db

from test_browser import CHROME_ARGS, CHROMIUM, SHOTS, server  # noqa: F401  (server is a fixture)

pytestmark = pytest.mark.browser

LINK = "[click here to re-authenticate](http://evil.example/login)"
COLOUR = ":red[**URGENT**]"
OTHER = "<b>bold</b> www.evil.example mail evil@evil.example :material/warning: :smile: $x^2$"


@pytest.fixture
def beacon():
    """A local server that counts requests: any image a page shows from note text calls it."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()
            self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()


@pytest.fixture
def planted(fitted_copy, beacon):
    """Markup in every note-derived string of the fitted store, before the server starts."""
    settings, store = fitted_copy
    url, _ = beacon
    image = f"![beacon]({url}/beacon.png)"
    with store.engine.begin() as conn:
        conn.execute(db.statements.update().values(
            text=sa.literal(f"{image} {COLOUR} {LINK} {OTHER} ") + db.statements.c.text))
        for t in conn.execute(sa.select(db.themes.c.id)).scalars():
            conn.execute(db.themes.update().where(db.themes.c.id == t).values(
                label=f"{COLOUR} {LINK} #{t}", description=f"{image} {LINK} {OTHER}", area=f"{LINK} area"))
        conn.execute(db.notes.update().where(db.notes.c.region == "Midwest").values(
            region="[Midwest](http://evil.example/region)"))
        conn.execute(db.notes.update().values(office=sa.literal(f"![o]({url}/office.png)") + db.notes.c.office))
        conn.execute(db.imports.update().values(file_name=f"{LINK}.csv"))
    return url


def live_markup(page, beacon_url: str) -> dict:
    return page.evaluate("""(beacon) => ({
        links: [...document.querySelectorAll('a[href*="evil.example"]')]
                  .map(a => (a.closest('[data-testid]') || {}).getAttribute?.('data-testid') + ': ' + a.outerHTML),
        images: [...document.querySelectorAll('img')].map(i => i.src)
                  .filter(s => s.includes(beacon) || s.includes('evil')),
        bold: [...document.querySelectorAll('strong, b')].filter(e => ['URGENT', 'bold'].includes(e.textContent.trim()))
                  .map(e => e.outerHTML),
        coloured: [...document.querySelectorAll('span[style*="color"], [class*="olored"]')]
                  .filter(e => /URGENT/.test(e.textContent)).map(e => e.outerHTML),
        icons: [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
                  .filter(e => e.textContent.trim() === 'warning').map(e => e.outerHTML),
        emoji: document.body.innerText.includes(String.fromCodePoint(0x1F604)),
        maths: document.querySelectorAll('.katex').length,
    })""", beacon_url)


def test_note_text_never_renders_as_markup(planted, server, beacon):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (it installs it) or apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    url, hits = beacon
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password", exact=True).fill("admin-demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Top themes")).to_be_visible(timeout=90_000)

        pages = [("What's surfacing", "Top themes"), ("Themes", "In their words"),
                 ("Regions and offices", "Who is not being heard"), ("Import", "Past imports"),
                 ("Curate", "History of edits"), ("Export", "Preview")]
        for link, heading in pages:
            if link != "What's surfacing":
                page.get_by_role("link", name=link, exact=True).click()
            expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
            page.wait_for_timeout(2500)
            page.screenshot(path=str(SHOTS / f"markup-{link.split()[0].lower().strip(chr(39) + 's')}.png"),
                            full_page=True)
            found = live_markup(page, url)
            assert found == {"links": [], "images": [], "bold": [], "coloured": [], "icons": [], "emoji": False,
                             "maths": 0}, (link, found)
            if link in ("What's surfacing", "Themes", "Export"):
                # the planted text is there, as its own characters (word joiners aside)
                shown = page.evaluate("() => document.body.innerText.replaceAll(String.fromCharCode(0x2060), '')")
                assert LINK in shown and COLOUR in shown, link
        browser.close()
    assert hits == [], hits  # no page made the browser fetch a planted image
