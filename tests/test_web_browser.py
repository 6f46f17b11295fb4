"""The digital page in a real browser (headless Chromium), opened from disk: markers and the
list appear, the markup in the data shows as text, tiles load from a tile server when there is
one and the map still works when there is none. No request leaves 127.0.0.1."""

from __future__ import annotations

import http.server
import io
import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from stampa.numbering import number_entries
from stampa.printing.theme import load_theme
from stampa.web import build_web

from web_samples import EVIL, ROOT, config, district, entries

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [pytest.mark.lento, pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="serve Chromium: apt-get install -y chromium chromium-driver",
)]


def _tile() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (214, 232, 214)).save(buf, format="PNG")
    return buf.getvalue()


class _Tiles(http.server.BaseHTTPRequestHandler):
    body = _tile()
    served = 0

    def do_GET(self):  # noqa: N802 - http.server API
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="stampa-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1400,900",
        # Nothing may leave the machine: every host name but 127.0.0.1 resolves to nothing.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _build(out: Path, tiles_url: str) -> Path:
    cfg = config()
    cfg = replace(cfg, sfondo=replace(cfg.sfondo, fonte=tiles_url, attribuzione="Tessere di prova"))
    build_web(cfg, entries(), district(), out, theme=load_theme(ROOT / "layout" / "tema.toml"))
    return out / "web" / "index.html"


def _open(driver, page: Path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.resolve().as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.find_element("tag name", "body").get_attribute("data-pronta") == "si")


def test_markers_list_and_tiles_appear(browser, tile_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, _build(tmp_path, tile_server))
    expected = [(n.number, n.entry.nome, n.entry.tipo) for n in number_entries(entries())]
    markers = browser.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .segnaposto")
    assert sorted(
        (int(m.get_attribute("textContent")), m.get_attribute("title"), "laboratorio" in m.get_attribute("class").split()) for m in markers
    ) == [(n, f"{n}. {name}", kind == "laboratorio") for n, name, kind in expected]
    items = browser.find_elements(By.CSS_SELECTOR, "#elenco li.voce")
    assert [int(i.get_attribute("data-numero")) for i in items] == [n for n, _, _ in expected]
    names = [i.find_element(By.CSS_SELECTOR, ".nome").text for i in items]
    assert names == [name for _, name, _ in expected]
    assert EVIL in names  # shown as text, not run
    assert browser.find_elements(By.CSS_SELECTOR, "#elenco script, .leaflet-pane script") == []
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "img.leaflet-tile-loaded"))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")) == 13  # 12 comuni + outline
    shot = tmp_path / "pagina.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("STAMPA_SCREENSHOT"):
        shutil.copy(shot, os.environ["STAMPA_SCREENSHOT"])
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_list_opens_the_popup_with_escaped_text(browser, tile_server, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    _open(browser, _build(tmp_path, tile_server))
    evil = next(n.number for n in number_entries(entries()) if n.entry.nome == EVIL)
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{evil}"] button').click()
    popup = _popup_titled(browser, f"{evil}.")
    assert popup.find_element(By.CSS_SELECTOR, "h3").text == f"{evil}. {EVIL}"
    assert "<b>grassetto</b> & \"virgolette\"" in popup.text
    assert popup.find_elements(By.CSS_SELECTOR, "b, script, a") == []  # no markup, and the javascript: link is gone
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises when no alert() ran

    first = next(n for n in number_entries(entries()) if n.entry.id == "lab-1").number
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{first}"] button').click()
    popup = _popup_titled(browser, f"{first}.")
    hrefs = [a.get_attribute("href") for a in popup.find_elements(By.CSS_SELECTOR, "a")]
    assert hrefs == ["https://www.esempio.it/spazio-q", "mailto:spazioq@esempio.it", "tel:0382123456"]


def test_popup_says_where_a_geocoded_point_comes_from(browser, tile_server, tmp_path):
    from selenium.webdriver.common.by import By

    from stampa.entries.model import POSITION_GEOCODED

    cfg = config()
    cfg = replace(cfg, sfondo=replace(cfg.sfondo, fonte=tile_server, attribuzione="Tessere di prova"))
    placed = [replace(e, position_from=POSITION_GEOCODED, precision="via") if e.id == "grp-1" else e for e in entries()]
    build_web(cfg, placed, district(), tmp_path, theme=load_theme(ROOT / "layout" / "tema.toml"))
    _open(browser, tmp_path / "web" / "index.html")
    numbers = {n.entry.id: n.number for n in number_entries(placed)}
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{numbers["grp-1"]}"] button').click()
    popup = _popup_titled(browser, f'{numbers["grp-1"]}.')
    assert popup.find_element(By.CSS_SELECTOR, "p.posizione").text == "Punto trovato dall'indirizzo (approssimato: solo la via)."
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{numbers["lab-1"]}"] button').click()
    popup = _popup_titled(browser, f'{numbers["lab-1"]}.')
    assert popup.find_elements(By.CSS_SELECTOR, "p.posizione") == []  # from the file: nothing to say


def test_without_tiles_the_map_still_works(browser, tmp_path):
    from selenium.webdriver.common.by import By

    # Port 9 (discard) on 127.0.0.1: nothing listens, every tile fails at once.
    _open(browser, _build(tmp_path, "http://127.0.0.1:9/{z}/{x}/{y}.png"))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .segnaposto")) == len(entries())
    assert len(browser.find_elements(By.CSS_SELECTOR, "#elenco li.voce")) == len(entries())
    assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")) == 13


def test_district_and_city_views(browser, tile_server, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, _build(tmp_path, tile_server))
    buttons = browser.find_elements(By.CSS_SELECTOR, ".viste .vista")
    assert [b.text for b in buttons] == ["Tutto il distretto", "Pavia da vicino"]

    # Pavia's four entries are ~2 km apart: close together on the district view, spread out on the city one.
    pavia_ids = {n.number for n in number_entries(entries()) if n.entry.istat == "018110"}

    def pavia_spread():
        pts = [m.rect["x"] for m in browser.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .segnaposto")
               if int(m.get_attribute("textContent")) in pavia_ids]
        return max(pts) - min(pts)

    before = pavia_spread()
    buttons[1].click()
    time.sleep(0.6)  # the zoom animation
    assert pavia_spread() > 3 * before
    buttons[0].click()
    time.sleep(0.6)
    assert abs(pavia_spread() - before) < 5


def _popup_titled(driver, prefix: str, timeout: float = 10):
    """The open popup once its title, as the user sees it, starts with ``prefix``.

    Waits on what is visible (Selenium's .text is empty while the popup is fading in or lies
    outside the map), and tolerates the previous popup being removed while it is read: Leaflet
    takes it out of the page 200 ms after closing it, which made a stale reference here."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(d):
        for popup in d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content"):
            if popup.find_element(By.CSS_SELECTOR, "h3").text.startswith(prefix):
                return popup
        return False

    return WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(ready)


def test_a_second_click_during_the_zoom_goes_to_the_second_entry(browser, tile_server, tmp_path):
    """The cause of the old flaky popup test: Leaflet ignores a setView asked for while a zoom
    animation runs, so an entry clicked in the list during the previous one's zoom (0.25 s) left
    the map where it was and opened its popup off-screen. The page now waits for the move to end."""
    _open(browser, _build(tmp_path, tile_server))
    evil = next(n.number for n in number_entries(entries()) if n.entry.nome == EVIL)
    first = next(n for n in number_entries(entries()) if n.entry.id == "lab-1").number
    whole = browser.find_element("css selector", ".viste .vista")
    for delay_ms in (0, 60, 120, 180, 300):
        whole.click()  # back to the whole district, so the next click zooms in (animated)
        time.sleep(0.6)
        browser.execute_async_script(
            """var done = arguments[3];
            function click(n) { document.querySelector('#elenco li[data-numero="' + n + '"] button').click(); }
            click(arguments[0]);
            setTimeout(function () { click(arguments[1]); }.bind(null, arguments[0], arguments[1]), arguments[2]);
            setTimeout(done, arguments[2] + 50);""",
            evil, first, delay_ms,
        )
        try:
            _popup_titled(browser, f"{first}.", timeout=5)
        except Exception:
            pytest.fail(f"second click {delay_ms} ms after the first: no visible popup for entry {first}")


def test_new_entries_say_novita_in_the_list_and_the_popup(browser, tile_server, tmp_path):
    """An edition with `segna_novita`: the new entry's line in the list and its popup begin with
    «Novità», as its card in the printed index; the others do not."""
    from selenium.webdriver.common.by import By

    cfg = config()
    cfg = replace(cfg, sfondo=replace(cfg.sfondo, fonte=tile_server, attribuzione="Tessere di prova"),
                  mappa=replace(cfg.mappa, segna_novita=True))
    build_web(cfg, entries(), district(), tmp_path, theme=load_theme(ROOT / "layout" / "tema.toml"),
              new_ids=frozenset({"lab-1"}))
    browser.get_log("browser")  # what earlier pages logged (the module shares one browser)
    _open(browser, tmp_path / "web" / "index.html")
    numbered = number_entries(entries())
    new = next(n for n in numbered if n.entry.id == "lab-1")
    kinds = {int(li.get_attribute("data-numero")): li.find_element(By.CSS_SELECTOR, ".tipo").text
             for li in browser.find_elements(By.CSS_SELECTOR, "#elenco li.voce")}
    assert kinds[new.number] == "Novità · Laboratorio sociale"
    assert [n for n, text in kinds.items() if "Novità" in text] == [new.number]
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{new.number}"] button').click()
    popup = _popup_titled(browser, f"{new.number}.")
    assert popup.find_element(By.CSS_SELECTOR, "p.tipo").text == "Novità · Laboratorio sociale"
    other = next(n for n in numbered if n.entry.id != "lab-1")
    browser.find_element(By.CSS_SELECTOR, f'#elenco li[data-numero="{other.number}"] button').click()
    popup = _popup_titled(browser, f"{other.number}.")
    assert "Novità" not in popup.find_element(By.CSS_SELECTOR, "p.tipo").text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
