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


@pytest.fixture
def class_servers(tmp_path):
    ports = {"PORT": free_port(), "SERVERS": f"{free_port()} {free_port()}", "RAY_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "AEVIZ_CACHE": str(tmp_path / "cache")}
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
