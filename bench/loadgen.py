"""The autosave load generator, run in its own process: `python -m bench.loadgen CONFIG OUT`.

Each simulated vendor contact is an httpx.AsyncClient of its own (its own cookie jar and one
keep-alive connection). Against the app it signs in through the login form, reads the CSRF
token like the page does, then saves maturity answers one after another exactly as htmx posts
them (form fields csrf_token, version, value, comment; headers HX-Request and X-CSRF-Token),
taking the new row version from the fragment it gets back. Against the floor it posts the same
form to the bare endpoint. Closed loop: each contact sends its next save when the last one has
answered, at once ("pause": 0, saturation) or after a random think time averaging "pause"
seconds (paced, like people clicking through questions). Requests that start during the warm-up
are not counted.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import resource
import sys
import time
from typing import Any

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'id="ver-[^"]+" value="(\d+)"')
SECTION_LINK = re.compile(r'href="(/portal/assessments/\d+/sections/[a-z0-9_-]+)"')
PAGE_VERSION = re.compile(r'id="ver-([^"]+)" value="(\d+)"')


class Contact:
    def __init__(self, spec: dict[str, Any], config: dict[str, Any]) -> None:
        self.spec = spec
        self.config = config
        self.client = httpx.AsyncClient(
            base_url=config["base_url"],
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=60,
        )
        self.token = ""
        self.keys = list(spec["keys"])
        self.versions = dict.fromkeys(self.keys, 1)
        self.turn = 0

    async def sign_in(self) -> None:
        if self.config["mode"] != "app":
            return
        page = await self.client.get("/login")
        token = CSRF.search(page.text).group(1)
        response = await self.client.post(
            "/login",
            data={
                "email": self.spec["email"],
                "password": self.config["password"],
                "csrf_token": token,
            },
        )
        home = response if response.status_code == 200 else await self.client.get("/")
        self.token = CSRF.search(home.text).group(1)
        assessment = await self.client.get(
            f"/portal/assessments/{self.spec['assessment_id']}", follow_redirects=True
        )
        assert assessment.status_code == 200, assessment.status_code
        # Only the questions the pages show (show_if hides some), from the row versions they
        # show (an earlier run may have saved them): one section per page, every section read.
        shown = dict(PAGE_VERSION.findall(assessment.text))
        for path in dict.fromkeys(SECTION_LINK.findall(assessment.text)):
            section = await self.client.get(path)
            assert section.status_code == 200, (path, section.status_code)
            shown |= dict(PAGE_VERSION.findall(section.text))
        self.keys = [k for k in self.keys if "q-" + k.replace(".", "-") in shown]
        self.versions = {k: int(shown["q-" + k.replace(".", "-")]) for k in self.keys}

    async def save(self) -> tuple[float, int | str]:
        keys = self.keys
        key = keys[self.turn % len(keys)]
        value = (self.turn // len(keys) + 1) % 6
        self.turn += 1
        if self.config["mode"] == "app":
            url = f"/portal/assessments/{self.spec['assessment_id']}/answers/{key}"
            headers = {"HX-Request": "true", "X-CSRF-Token": self.token}
        else:
            url = f"/answers/{self.spec['answer_ids'][key]}"
            headers = {"HX-Request": "true"}
        form = {
            "csrf_token": self.token,
            "version": str(self.versions[key]),
            "value": str(value),
            "comment": "",
        }
        start = time.perf_counter()
        try:
            response = await self.client.post(url, data=form, headers=headers)
        except httpx.TransportError as exc:  # counted; the next save opens a new connection
            return time.perf_counter() - start, type(exc).__name__
        elapsed = time.perf_counter() - start
        if response.status_code == 200 and self.config["mode"] == "app":
            found = VERSION.search(response.text)
            if found:
                self.versions[key] = int(found.group(1))
        return elapsed, response.status_code


async def _run(config: dict[str, Any]) -> dict[str, Any]:
    contacts = [Contact(spec, config) for spec in config["contacts"]]
    await asyncio.gather(*(c.sign_in() for c in contacts))
    warmup, duration = config["warmup"], config["duration"]
    begin = time.perf_counter()
    measure_from, stop_at = begin + warmup, begin + warmup + duration
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    cpu_start = None

    pause = float(config.get("pause", 0))
    rng = random.Random(7)

    async def loop(contact: Contact) -> None:
        nonlocal cpu_start
        if pause:
            await asyncio.sleep(rng.uniform(0, pause))  # contacts do not start in step
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return
            elapsed, status = await contact.save()
            if started >= measure_from:
                if cpu_start is None:
                    cpu_start = _cpu()
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if pause:  # think, but not past the end of the run
                await asyncio.sleep(
                    min(rng.expovariate(1 / pause), max(0.0, stop_at - time.perf_counter()))
                )

    await asyncio.gather(*(loop(c) for c in contacts))
    window = time.perf_counter() - measure_from
    cpu = _cpu() - (cpu_start or _cpu())
    await asyncio.gather(*(c.client.aclose() for c in contacts))
    return {
        "latencies": latencies,
        "statuses": statuses,
        "window_s": window,
        "loadgen_cpu_s": cpu,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    config_path, out_path = sys.argv[1], sys.argv[2]
    with open(config_path) as handle:
        config = json.load(handle)
    try:
        import uvloop

        result = uvloop.run(_run(config))
    except ImportError:
        result = asyncio.run(_run(config))
    with open(out_path, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
