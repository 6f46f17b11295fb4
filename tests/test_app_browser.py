"""The app in a real headless Chromium, as staff use it: open the printed address, fill the
Edizione form, upload an entries file with an error and see its row, upload the corrected file,
build, download the print PDF and find it equal to `stampa edizione`'s. Also: every field has a
label, the keyboard reaches the content first, and at 200 % zoom nothing needs sideways scrolling.
Screenshots at 1366×768 go to $STAMPA_SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from app_support import built_web, running_app
from robusto_support import SAMPLE_CSV, make_project, run_stampa, write_rows

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [pytest.mark.lento, pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="serve Chromium: apt-get install -y chromium chromium-driver",
)]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="stampa-chromium-")
    downloads = tmp_path / "scaricati"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1366,768", "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # nothing may leave the machine
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "plugins.always_open_pdf_externally": True,
    })
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, seconds: float = 120):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Pages reload after a form or a build: an element found on the old page is stale, not an error.
    return WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def _shot(driver, name: str) -> None:
    folder = os.environ.get("STAMPA_SCREENSHOT_DIR")
    if folder:
        driver.save_screenshot(str(Path(folder) / f"app-{name}.png"))


def _check_page_is_accessible(driver) -> None:
    unlabelled = driver.execute_script(
        "return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
        ".filter(e => e.labels.length === 0).map(e => e.name || e.id);")
    assert unlabelled == []


def _nav(driver, label: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.LINK_TEXT, label).click()
    _wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "[aria-current=page]").text == label)


def test_staff_journey_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    project = make_project(tmp_path / "progetto", verifica=True)  # the preflight runs at the end, as by default
    # The sample as staff have it: four entries with only an address, placed from dati/geocodifica.csv.
    rows = list(csv.DictReader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert sum(not r["latitudine"] for r in rows) == 4
    bad_rows = [dict(r) for r in rows]
    bad_rows[4]["tipo"] = "circolo"  # row 6 of the file
    bad = write_rows(tmp_path / "da-caricare" / "voci-2026.csv", bad_rows)
    with running_app(project) as (client, _):
        browser.get(f"http://127.0.0.1:{client.port}/?t={client.keys.token}")
        _wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "L'app per la redazione")
        _shot(browser, "inizio")
        # The keyboard reaches «Vai al contenuto» first.
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        assert browser.switch_to.active_element.text == "Vai al contenuto"

        _nav(browser, "1. Edizione")
        _check_page_is_accessible(browser)
        label = browser.find_element(By.ID, "edizione-etichetta")
        label.clear()
        label.send_keys("Edizione di prova")
        _shot(browser, "edizione")
        browser.find_element(By.CSS_SELECTOR, "form.modulo button[type=submit]").click()
        _wait(browser, lambda d: "Salvato in stampa.toml." in d.find_element(By.TAG_NAME, "main").text)
        assert 'etichetta = "Edizione di prova"' in project.read_text(encoding="utf-8")

        _nav(browser, "2. Dati")
        browser.find_element(By.ID, "carica-file").send_keys(str(bad))
        browser.find_element(By.CSS_SELECTOR, "form[action='/dati/carica'] button").click()
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#controlli tbody tr.errore"))
        first = browser.find_element(By.CSS_SELECTOR, "#controlli tbody tr")
        cells = [c.text for c in first.find_elements(By.TAG_NAME, "td")]
        assert cells[:5] == ["Errore", "riga 6", rows[4]["nome"], "tipo", "circolo"]
        assert cells[5]  # what to do
        _check_page_is_accessible(browser)
        _shot(browser, "dati-errore")
        browser.execute_script("document.getElementById('controlli').scrollIntoView()")
        _shot(browser, "dati-tabella")

        # The corrected file, same name: stored beside the first one, never over it.
        good = write_rows(tmp_path / "da-caricare" / "voci-2026.csv", rows)
        browser.find_element(By.ID, "carica-file").send_keys(str(good))
        browser.find_element(By.CSS_SELECTOR, "form[action='/dati/carica'] button").click()
        _wait(browser, lambda d: d.find_element(By.ID, "conteggio").text.startswith("0 errori"))
        assert browser.find_element(By.ID, "file-in-uso").text == "voci-2026-2.csv"
        _wait(browser, lambda d: d.find_element(By.ID, "mappa-voci").get_attribute("data-voci") == "38")
        browser.execute_script("document.getElementById('mappa-titolo').scrollIntoView()")
        _shot(browser, "dati-mappa")
        # A point from geocoding, dragged: the correction goes into the record, not into the entries file.
        from selenium.webdriver.common.action_chains import ActionChains

        uploaded = (project.parent / "dati" / "voci-2026-2.csv").read_bytes()
        marker = browser.find_element(By.CSS_SELECTOR, '.punto-mobile[data-riga="riga 38"]')
        ActionChains(browser).drag_and_drop_by_offset(marker, 25, 15).perform()
        try:
            _wait(browser, lambda d: d.find_element(By.ID, "esito-posizione").text.startswith(
                "Posizione di «Il Tavolo di Piazza Vittoria» corretta nel registro della geocodifica"))
        except Exception as exc:
            _shot(browser, "trascinato")
            raise AssertionError("esito: " + browser.find_element(By.ID, "esito-posizione").text) from exc
        record = (project.parent / "dati" / "geocodifica.csv").read_text(encoding="utf-8-sig")
        assert next(r for r in record.splitlines() if r.startswith("P.zza della Vittoria 15;")).endswith(";corretto a mano;sì")
        assert (project.parent / "dati" / "voci-2026-2.csv").read_bytes() == uploaded
        _shot(browser, "dati-spostato")

        # 200 % zoom of a 1366×768 screen: the page is 683 CSS pixels wide and nothing scrolls sideways.
        browser.set_window_size(683, 768)
        for page in ("/dati", "/edizione", "/testi", "/costruisci"):
            browser.get(f"http://127.0.0.1:{client.port}{page}")
            wide = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert wide <= 0, page
        _shot(browser, "costruisci-zoom200")
        browser.set_window_size(1366, 768)

        _nav(browser, "3. Testi")
        _check_page_is_accessible(browser)
        _shot(browser, "testi")

        _nav(browser, "4. Costruisci")
        _check_page_is_accessible(browser)
        browser.find_element(By.ID, "avvia").click()
        _wait(browser, lambda d: d.find_elements(By.ID, "fasi"))
        _shot(browser, "costruisci-in-corso")
        _wait(browser, lambda d: d.find_elements(By.ID, "verdetto"), seconds=600)
        assert browser.find_element(By.ID, "stato").text == "fatto"
        assert browser.find_element(By.ID, "verdetto").text == "Superata: i PDF per la tipografia sono pronti."
        _shot(browser, "costruisci-fatto")
        browser.execute_script("document.getElementById('anteprime-titolo').scrollIntoView()")
        _wait(browser, lambda d: all(i.get_attribute("naturalWidth") not in ("0", None)
                                     for i in d.find_elements(By.CSS_SELECTOR, ".anteprime img")))
        _shot(browser, "costruisci-anteprime")

        browser.find_element(By.CSS_SELECTOR, "a[href='/uscita/mappa-stampa.pdf']").click()
        target = browser.downloads / "mappa-stampa.pdf"
        deadline = time.monotonic() + 120
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert target.exists()
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []

    cli_out = tmp_path / "dalla-riga-di-comando"
    done = run_stampa(project.parent, "edizione", "--out", str(cli_out))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == (cli_out / "mappa-stampa.pdf").read_bytes()


def _record_row(project: Path, address: str) -> list[str]:
    record = (project.parent / "dati" / "geocodifica.csv").read_text(encoding="utf-8-sig")
    return next(r for r in record.splitlines() if r.startswith(address + ";")).split(";")


def test_a_geocoded_point_moved_with_the_keyboard(browser, tmp_path):
    """Tab to a dashed point, arrows move it, Esc puts it back, Enter writes the same correction a drag writes."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    # The sample as staff have it: four entries with only an address, placed from dati/geocodifica.csv.
    rows = list(csv.DictReader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8-sig")), delimiter=";"))
    project = make_project(tmp_path / "progetto", rows)
    entries = (project.parent / "dati" / "voci.csv").read_bytes()
    before = _record_row(project, "V.le Matteotti 10")
    with running_app(project) as (client, _):
        browser.get(f"http://127.0.0.1:{client.port}/dati?t={client.keys.token}")
        _wait(browser, lambda d: d.find_element(By.ID, "mappa-voci").get_attribute("data-voci") == "38")
        browser.execute_script("document.getElementById('mappa-titolo').scrollIntoView()")
        marker = browser.find_element(By.CSS_SELECTOR, '.punto-mobile[data-riga="riga 40"]')
        assert marker.get_attribute("tabindex") == "0" and marker.get_attribute("role") == "button"
        assert marker.get_attribute("aria-label") == ("8. Merende sotto il Castello: frecce per spostarlo, "
                                                      "Invio per salvare, Esc per annullare")
        # In the tab order (tabindex 0, above): focused here directly, as Tab through the page would.
        browser.execute_script("arguments[0].focus()", marker)
        assert browser.switch_to.active_element == marker
        status = browser.find_element(By.ID, "esito-posizione")
        place = marker.get_attribute("style")

        marker.send_keys(Keys.ARROW_RIGHT)
        assert status.text == "«Merende sotto il Castello» spostato: Invio per salvare la nuova posizione, Esc per annullare."
        assert marker.get_attribute("style") != place
        marker.send_keys(Keys.ESCAPE)
        assert status.text == "Spostamento di «Merende sotto il Castello» annullato: la posizione è quella di prima."
        assert marker.get_attribute("style") == place
        assert _record_row(project, "V.le Matteotti 10") == before  # nothing written

        for key in (Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_UP):
            marker.send_keys(key)
        marker.send_keys(Keys.ENTER)
        _wait(browser, lambda d: d.find_element(By.ID, "esito-posizione").text ==
              "Posizione di «Merende sotto il Castello» corretta nel registro della geocodifica: vale dalla prossima costruzione.")
        _shot(browser, "dati-spostato-da-tastiera")
        assert browser.switch_to.active_element == marker  # the keyboard stays where it was
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    after = _record_row(project, "V.le Matteotti 10")
    lat0, lon0 = (float(before[i].replace(",", ".")) for i in (3, 4))
    lat1, lon1 = (float(after[i].replace(",", ".")) for i in (3, 4))
    assert lon1 > lon0 and lat1 > lat0  # right and up: east and north
    assert after[-2:] == ["corretto a mano", "sì"] and after[:3] == before[:3]
    assert (project.parent / "dati" / "voci.csv").read_bytes() == entries


def test_the_web_version_inside_the_app(browser, tmp_path):
    """The built page at /web/ under its own policy: Leaflet and the page's script run (list,
    points, outlines), nothing is refused by the policy, nothing is fetched from outside."""
    from selenium.webdriver.common.by import By

    project = make_project(tmp_path / "progetto")
    built_web(project)
    with running_app(project) as (client, _):
        browser.get(f"http://127.0.0.1:{client.port}/costruisci?t={client.keys.token}")
        browser.find_element(By.ID, "guarda-web").click()
        _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-pronta") == "si")
        assert browser.current_url == f"http://127.0.0.1:{client.port}/web/"
        names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#elenco li.voce .nome")]
        assert len(names) == 6 and "<script>alert(1)</script>" in names  # the hostile name shown as text, not run
        assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .segnaposto")) == 6
        assert len(browser.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")) == 13  # 12 comuni + outline
        assert browser.find_elements(By.CSS_SELECTOR, "#mappa .leaflet-tile") == []  # no tiles: the app stays offline
        _shot(browser, "web")
        loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert [u for u in loaded if not u.startswith(f"http://127.0.0.1:{client.port}/")] == []
        logs = browser.get_log("browser")
        assert [e for e in logs if e["level"] == "SEVERE"] == [], logs
