"""A TCP proxy that gives a peer link delay, jitter and loss, by a seeded schedule (no netem needed).

    python -m ets_tools.netns.proxy CONFIG.json        (SIGHUP re-reads the profile; SIGTERM stops)

CONFIG holds ``links``: [{"name", "listen_port", "target_host", "target_port"}] (listening on 127.0.0.1)
and ``profile``: {"delay_ms", "jitter_ms", "loss_permille", "seed"}. Every chunk read on one side is
written to the other ``delay ± jitter`` ms later (uniform), never before the chunk ahead of it, as TCP
delivers in order. Loss is what TCP makes of a lost segment: each of the chunk's segments (1448 bytes)
is lost with the given probability, and a lost one holds the chunk and everything behind it back by a
retransmission timeout (``max(200 ms, 2 × delay + 4 × jitter)``): bytes are never dropped from the
stream, which would only break the peers' authenticated connection. A profile of zeros forwards at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Profile", "Schedule", "main"]

log = logging.getLogger("ets_tools.netns.proxy")
SEGMENT = 1448
_CHUNK = 64 * 1024
_QUEUE = 256  # chunks in flight per direction before reading pauses


@dataclass(frozen=True)
class Profile:
    delay_ms: int = 0
    jitter_ms: int = 0
    loss_permille: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.delay_ms <= 60_000 and 0 <= self.jitter_ms <= self.delay_ms and 0 <= self.loss_permille <= 500):
            raise ValueError(f"profile out of range: {self}")

    @classmethod
    def parse(cls, raw: dict) -> "Profile":
        return cls(*(int(raw.get(k, 0)) for k in ("delay_ms", "jitter_ms", "loss_permille", "seed")))

    @property
    def retransmit_ms(self) -> int:
        return max(200, 2 * self.delay_ms + 4 * self.jitter_ms)


class Schedule:
    """The delivery times of one direction of one link: seeded, in order, never before the previous chunk."""

    def __init__(self, profile: Profile, link: str):
        self.profile = profile
        self._rng = random.Random(f"{profile.seed}/{link}")
        self._last = 0.0
        self.lost = 0

    def deliver_at(self, now: float, size: int) -> float:
        p = self.profile
        delay = (p.delay_ms + self._rng.uniform(-p.jitter_ms, p.jitter_ms)) / 1000
        if p.loss_permille:
            segments = max(1, math.ceil(size / SEGMENT))
            if self._rng.random() < 1 - (1 - p.loss_permille / 1000) ** segments:
                self.lost += 1
                delay += p.retransmit_ms / 1000
        self._last = max(self._last, now + delay)
        return self._last


class _Proxy:
    def __init__(self, config: Path):
        self.config = config
        raw = json.loads(config.read_text())
        self.links = raw["links"]
        self.profile = Profile.parse(raw.get("profile", {}))
        self._connections = 0

    def reload(self) -> None:
        try:
            self.profile = Profile.parse(json.loads(self.config.read_text()).get("profile", {}))
        except (OSError, ValueError, KeyError) as exc:
            log.error("profile not reloaded from %s: %s", self.config, exc)
            return
        log.info("profile %s", self.profile)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: str) -> None:
        schedule = Schedule(self.profile, link)
        queue: asyncio.Queue = asyncio.Queue(_QUEUE)
        loop = asyncio.get_running_loop()

        async def deliver() -> None:
            while True:
                at, data = await queue.get()
                if data is None:
                    break
                wait = at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(_CHUNK)
                if not data:
                    break
                if schedule.profile != self.profile:  # a reload applies to the chunks read after it
                    schedule.profile = self.profile
                await queue.put((schedule.deliver_at(loop.time(), len(data)), data))
            await queue.put((0.0, None))
            await sender
        except (ConnectionError, OSError) as exc:
            log.info("%s: %s", link, exc)
        finally:
            sender.cancel()
            writer.close()

    async def _serve(self, link: dict, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections += 1
        name = f"{link['name']}#{self._connections}"
        try:
            up_reader, up_writer = await asyncio.open_connection(link["target_host"], int(link["target_port"]))
        except OSError as exc:
            log.info("%s: cannot reach %s:%s: %s", name, link["target_host"], link["target_port"], exc)
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, f"{name}/out"), self._pipe(up_reader, writer, f"{name}/in"))

    async def run(self) -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopped.set)
        servers = []
        for link in self.links:
            handler = (lambda lk: lambda r, w: self._serve(lk, r, w))(link)
            servers.append(await asyncio.start_server(handler, "127.0.0.1", int(link["listen_port"]), reuse_address=True))
        log.info("proxy up: %d links, profile %s", len(servers), self.profile)
        await stopped.wait()
        for server in servers:
            server.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ets_tools.netns.proxy CONFIG.json", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s proxy %(message)s", stream=sys.stdout)
    asyncio.run(_Proxy(Path(args[0])).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
