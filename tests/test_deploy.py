"""deploy/serve-class.sh for real: a Ray head, two app servers sharing it and one model store,
nginx in front with sticky sessions; a browser trains through nginx, the model is trained in a Ray
worker, and the other server shows it from the store."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from browser import ROOT, browser_page, find_chromium, free_port

pytestmark = [
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped"),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx (apt-get install nginx): deploy test skipped"),
    pytest.mark.skipif(shutil.which("ray") is None, reason="Ray is not installed: pip install -r requirements-ray.txt"),
]
PANELS = "() => document.querySelectorAll('.aeviz-panel').length === 3"
TOKEN = "a-class-of-our-own"
# The board table's cells (Streamlit's data grid draws on a canvas and keeps a cell per element for
# screen readers: glide-cell-<column>-<row>; column 0 is the row's selection box, 1 the rank, 2 the name).
CELLS = ("() => Object.fromEntries([...document.querySelectorAll('[data-testid^=glide-cell-]')]"
         ".map(e => [e.dataset.testid, e.innerText]))")


@pytest.fixture
def class_servers(tmp_path):
    ports = {"PORT": free_port(), "SERVERS": f"{free_port()} {free_port()}", "RAY_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "AEVIZ_CACHE": str(tmp_path / "cache"),
           "AEVIZ_TEACHER_TOKEN": TOKEN}
    log = open(tmp_path / "serve-class.log", "w+")
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "serve-class.sh")], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 180
        while "the class's address is" not in (tmp_path / "serve-class.log").read_text():
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "serve-class.log").read_text()
            time.sleep(0.5)
        yield ports, tmp_path / "cache" / "models"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the script stops what it started
        proc.wait(60)
        log.close()


def test_a_class_on_two_servers_shares_ray_and_the_model_store(class_servers):
    ports, models = class_servers
    with browser_page() as page:
        page.goto(f"http://127.0.0.1:{ports['PORT']}/?data=digits&epochs=3")  # through nginx
        page.wait_for_function(PANELS, timeout=150_000)
        assert any(c["name"] == "aeviz_server" for c in page.context.cookies())  # the sticky cookie
        [meta] = [json.loads(p.read_text()) for p in models.glob("*.json")]
        trainer, server = meta["pid"], meta["stored_by"]["pid"]
        assert trainer != server  # trained in a Ray worker, not in the server
        assert Path(f"/proc/{trainer}/cmdline").read_bytes().startswith(b"ray::")
        shown = []
        for port in ports["SERVERS"].split():
            other = page.context.browser.new_context().new_page()
            t0 = time.perf_counter()
            other.goto(f"http://127.0.0.1:{port}/?data=digits&epochs=3")
            other.wait_for_function(PANELS, timeout=60_000)
            text = other.locator("body").inner_text()
            shown.append((re.search(r"Loaded from the model store: trained .* on \S+ \(process (\d+)\)", text),
                          time.perf_counter() - t0))
        from_store = [(m, s) for m, s in shown if m]
        assert len(from_store) == 1  # the server that did not train it reads it back
        match, seconds = from_store[0]
        assert int(match.group(1)) == trainer and seconds < 20


def _board_names(page) -> dict:
    """{name: (row, rank cell)} of the board's table."""
    cells = page.evaluate(CELLS)
    return {text: (int(key.rsplit("-", 1)[1]), cells.get(f"glide-cell-1-{key.rsplit('-', 1)[1]}"))
            for key, text in cells.items() if key.startswith("glide-cell-2-")}


def test_students_on_two_servers_share_and_the_teacher_ranks_the_board_through_nginx(class_servers):
    ports, _ = class_servers
    nginx = f"http://127.0.0.1:{ports['PORT']}"
    one, two = (f"http://127.0.0.1:{p}" for p in ports["SERVERS"].split())
    # (where, bottleneck, name): one student through nginx, one on each server; the first name is
    # shown as typed, never as HTML, markdown or an icon
    students = [(nginx, 2, "<b>Ana</b> :material/home:"), (one, 3, "Bruno"), (two, 4, "Carla")]
    names = [name for _, _, name in students]
    with browser_page() as page:
        pages = []
        for url, k, name in students:
            student = page.context.browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
            student.goto(f"{url}/?data=digits&epochs=3&k={k}")
            student.wait_for_function(PANELS, timeout=150_000)
            student.get_by_label("Your name on the class board", exact=True).fill(name)
            student.get_by_role("button", name="Share with the class").click()
            done = student.get_by_text("On the class board as")
            done.wait_for(timeout=30_000)
            assert done.inner_text().replace("\u200b", "") == f"On the class board as {name}."
            pages.append((url, student))
        for url, student in pages[1:]:  # each server shows every entry, from the shared folder
            student.goto(f"{url}/board")
            student.wait_for_function(f"() => Object.values(({CELLS})()).filter(v => {names}.includes(v)).length"
                                      " === 3", timeout=60_000)
        teacher = page  # through nginx
        teacher.goto(f"{nginx}/board")
        teacher.get_by_text("For the teacher").click()
        teacher.get_by_label("Teacher token", exact=True).fill(TOKEN)
        teacher.get_by_role("button", name="Sign in").click()
        teacher.get_by_label("Task, as the class will read it", exact=True).fill(
            "Best kNN accuracy with a 2-number code, under 30 s of training")
        teacher.get_by_role("button", name="Set the task").click()  # a 2-number code, 30 s: the form's defaults
        teacher.wait_for_function(f"() => ({CELLS})()['glide-cell-1-2'] === '–'", timeout=30_000)  # ranked
        ranks = {name: rank for name, (_, rank) in _board_names(teacher).items()}
        assert ranks == {names[0]: "1", names[1]: "–", names[2]: "–"}  # only the 2-number code meets it
        pages[1][1].reload()  # and the class sees the task
        pages[1][1].get_by_text("Best kNN accuracy with a 2-number code").wait_for(timeout=30_000)
        carla = pages[2][1]  # opens the first entry (Ana's, 2 numbers) on her own pages by a click on its row
        carla.reload()
        carla.wait_for_function(f"() => ({CELLS})()['glide-cell-1-0'] === '1'", timeout=30_000)
        box = carla.locator("[data-testid=stDataFrameResizable] canvas").first.bounding_box()
        carla.mouse.click(box["x"] + 14, box["y"] + 35 + 32)  # row 0's selection box (a 35 px header, 64 px rows)
        carla.wait_for_function(PANELS, timeout=60_000)
        assert "k=" not in carla.url  # the sidebar says 2 (the default), Ana's, where Carla had 4
        assert carla.get_by_text("Trained already: shows at once.").count() == 1  # nothing retrained
        # the keyboard's way, in a session that began on the board
        teacher.get_by_role("button", name="Open", exact=True).filter(has_text="Open").click()
        teacher.wait_for_function(PANELS, timeout=60_000)
        assert teacher.locator("[data-testid='stException']").count() == 0 and "data=digits" in teacher.url
