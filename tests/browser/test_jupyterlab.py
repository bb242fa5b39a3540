"""A real browser: JupyterLab on loopback, lab 01 run top to bottom, a quiz widget clicked.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``).
Without them the test skips with a reason; with ``CI=true`` it fails instead. The screenshot goes
to ``$CRMLAB_ARTIFACTS`` (or ``artifacts/`` in pytest's temporary folder).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CRMLAB_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CRMLAB_CHROMEDRIVER", "/usr/bin/chromedriver")


def _require(condition: bool, reason: str):
    if not condition:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (in CI the browser test must run, not skip)")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_DEFAULT_ARTIFACTS: list[Path] = []


def _artifacts() -> Path:
    # CI keeps the screenshots ($CRMLAB_ARTIFACTS); a local run puts them in pytest's own temporary
    # folder (pytest keeps the last three runs), never in the clone.
    path = Path(os.environ.get("CRMLAB_ARTIFACTS") or _DEFAULT_ARTIFACTS[0])
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    _require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    _require(Path(CHROMEDRIVER).exists(), f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)")
    sources = sorted((ROOT / "labs").glob("01-*.ipynb"))
    _require(bool(sources), "labs/01-*.ipynb does not exist yet")
    work = tmp_path_factory.mktemp("jlab")
    _DEFAULT_ARTIFACTS[:] = [tmp_path_factory.getbasetemp() / "artifacts"]
    nb = nbformat.read(sources[0], as_version=4)
    for cell in nb.cells:                      # a clean start: no stale outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if not any("lab.quiz(" in c.source for c in nb.cells if c.cell_type == "code"):
        nb.cells.append(nbformat.v4.new_code_cell('lab.quiz("m1")'))
    nbformat.write(nb, work / "lab01.ipynb")
    settings = work / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, CRMLAB_HOME=str(work / "home"), JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
               JUPYTER_CONFIG_DIR=str(work / "config"), MPLBACKEND="Agg")
    log = open(work / "jupyterlab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                             f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
                             f"--ServerApp.root_dir={work}", "--ServerApp.open_browser=False"]
                            + (["--allow-root"] if os.geteuid() == 0 else []),
                            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start: " + (work / "jupyterlab.log").read_text()[-2000:])
    yield {"base": base, "token": token, "work": work}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    shutil.copy(work / "jupyterlab.log", _artifacts() / "jupyterlab.log")


@pytest.fixture(scope="module")
def browser(jupyterlab):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def _menu(driver, wait, top: str, item: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    wait.until(EC.element_to_be_clickable(
        (By.XPATH, f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{top}']"))).click()
    wait.until(EC.element_to_be_clickable(
        (By.XPATH, f"//div[contains(@class,'lm-Menu-itemLabel') and text()='{item}']"))).click()


def test_lab01_runs_and_quiz_widget_answers_a_click(jupyterlab, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from crmlab.teaching.answers import from_notebook

    shot = _artifacts() / "jupyterlab-lab01-quiz.png"
    driver, wait = browser, WebDriverWait(browser, 60)
    driver.get(f"{jupyterlab['base']}/lab/tree/lab01.ipynb?token={jupyterlab['token']}")
    try:
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))
        wait.until(EC.presence_of_element_located(
            (By.XPATH, "//*[contains(@class,'jp-Notebook-ExecutionIndicator') or contains(@class,'jp-KernelStatus')]")))
        time.sleep(3)                          # let the kernel finish starting
        _menu(driver, wait, "Run", "Run All Cells")
        long_wait = WebDriverWait(driver, 600)
        radios = long_wait.until(EC.presence_of_all_elements_located(
            (By.XPATH, "//div[contains(@class,'crmlab-q-m1.q01')]//input[@type='radio']")))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", radios[0])
        radios[0].click()                      # A. basic: the right answer
        driver.find_element(By.XPATH, "//button[contains(@class,'crmlab-check-m1.q01')]").click()
        ok = wait.until(EC.presence_of_element_located(
            (By.XPATH, "//div[contains(@class,'crmlab-fb-m1.q01')]//div[contains(@class,'crmlab-correct')]")))
        assert "correct" in ok.text
        radios = driver.find_elements(By.XPATH, "//div[contains(@class,'crmlab-q-m1.q02')]//input[@type='radio']")
        radios[0].click()                      # A. basic: wrong for q02 (accountable)
        driver.find_element(By.XPATH, "//button[contains(@class,'crmlab-check-m1.q02')]").click()
        bad = wait.until(EC.presence_of_element_located(
            (By.XPATH, "//div[contains(@class,'crmlab-fb-m1.q02')]//div[contains(@class,'crmlab-wrong')]")))
        assert "not yet right" in bad.text and "客户关系类型" in bad.text
        time.sleep(1)
        _menu(driver, wait, "File", "Save Notebook")
        time.sleep(3)
    finally:
        driver.save_screenshot(str(shot))
    assert shot.exists() and shot.stat().st_size > 0
    saved = nbformat.read(jupyterlab["work"] / "lab01.ipynb", as_version=4)
    answers = from_notebook(saved)
    # Which of the two routes carried the click into the file (kept as an artifact for the record).
    by_output = from_notebook(nbformat.from_dict({**saved, "metadata": {}}))
    by_state = from_notebook(nbformat.from_dict({**saved, "cells": []}))
    (_artifacts() / "jupyterlab-quiz-routes.json").write_text(
        json.dumps({"output": by_output, "widget_state": by_state}, ensure_ascii=False, indent=1))
    assert answers.get("m1.q01") == "A", f"quiz answer not saved in the notebook: {answers}"
    assert answers.get("m1.q02") == "A"


CONSOLE_NOTEBOOK = [
    "import crmlab\nfrom crmlab.ops.widgets import console",
    "db = crmlab.simulate(n_customers=300, seed=5)          # the embedded default database\n"
    "crm = crmlab.CRM(db, user=\"admin\")",
    "console(crm)",
]


def test_crm_console_adds_a_customer_and_shows_the_validation_error(jupyterlab, browser):
    """The CRM console in a real browser: a bad phone number is refused next to the field, a good
    one is saved, and the new customer shows up in the list (and in the database)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    import crmlab

    work = jupyterlab["work"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CONSOLE_NOTEBOOK])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "console.ipynb")
    shot = _artifacts() / "jupyterlab-crm-console.png"
    driver, wait = browser, WebDriverWait(browser, 60)
    name = "Browser Test Co"

    def typed(css: str, text: str):
        box = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
        box.click()
        box.send_keys(Keys.CONTROL, "a")       # replace what is there, firing input events
        box.send_keys(text)
        return box

    def text_of(css: str) -> str:
        return driver.find_element(By.CSS_SELECTOR, css).text

    def tab(label: str):
        wait.until(EC.element_to_be_clickable(
            (By.XPATH, f"//div[contains(@class,'crm-console')]//div[contains(@class,'lm-TabBar-tabLabel') "
                       f"and normalize-space(text())='{label}']"))).click()
        time.sleep(0.5)

    driver.get(f"{jupyterlab['base']}/lab/tree/console.ipynb?token={jupyterlab['token']}")
    try:
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))
        time.sleep(3)                          # let the kernel finish starting
        _menu(driver, wait, "Run", "Run All Cells")
        WebDriverWait(driver, 300).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".crm-console")))
        tab("Add / edit")
        typed(".crm-field-name input", name)
        typed(".crm-field-phone input", "12345")
        time.sleep(1)
        driver.find_element(By.CSS_SELECTOR, ".crm-save").click()
        wait.until(lambda d: "phone" in text_of(".crm-error-phone"))
        assert "12345" in text_of(".crm-error-phone")
        typed(".crm-field-phone input", "13800138000")
        time.sleep(1)
        driver.find_element(By.CSS_SELECTOR, ".crm-save").click()
        wait.until(lambda d: "Saved" in text_of(".crm-status"))
        assert text_of(".crm-error-phone").strip() == ""
        tab("Customers")
        typed(".crm-search input", name)
        time.sleep(1)
        driver.find_element(By.CSS_SELECTOR, ".crm-search-button").click()
        wait.until(lambda d: name in text_of(".crm-list"))
        assert "13800138000" in text_of(".crm-list")
    finally:
        driver.save_screenshot(str(shot))
    db = crmlab.connect(f"sqlite:///{work / 'home' / 'crmlab.db'}")
    added = db.sql("SELECT phone, status FROM customers WHERE name = :n", {"n": name})
    assert added.to_dict("records") == [{"phone": "13800138000", "status": "active"}]
    history = db.sql("SELECT username, action FROM audit_log WHERE entity = 'customers'")
    assert ("admin", "create") in set(map(tuple, history.to_numpy().tolist()))
