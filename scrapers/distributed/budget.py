"""Politeness across processes: the site budget of scrapers/politeness.py, its clock in Redis."""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapers.politeness import SiteBudget, SiteBudgetHandler, is_loopback, registrable_domain

# --- politeness across processes -----------------------------------------------------------------

# KEYS: the domain's next-free key, its Crawl-delay key. ARGV: interval ms, Crawl-delay this process
# read (ms, 0 = none). Returns 0 (go: the slot is taken now) or the milliseconds to wait. Redis'
# clock is the one clock of every worker, whatever machine it runs on.
_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = tonumber(redis.call('GET', KEYS[2]) or '0')
local mine = tonumber(ARGV[2])
if mine > delay then redis.call('SET', KEYS[2], ARGV[2]); delay = mine end
local interval = math.max(tonumber(ARGV[1]), delay)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= free then
  redis.call('SET', KEYS[1], now + interval, 'PX', interval + 60000)
  return 0
end
return free - now
"""


class RedisSiteBudget(SiteBudget):
    """SiteBudget whose clock is a Redis key per registrable domain, shared by every process."""

    def __init__(self, interval: float, simulated: bool, redis_url: str):
        super().__init__(interval, simulated)
        self.redis_url = redis_url
        self._client = None
        self._script = None

    async def hold(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        if self.simulated and is_loopback(host):
            return
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.redis_url)
            self._script = self._client.register_script(_TAKE_SLOT)
        domain = registrable_domain(host)
        keys = [f"thanthien:budget:{domain}", f"thanthien:budget:{domain}:crawl-delay"]
        args = [int(self.interval * 1000), int(self._crawl_delay.get(domain, 0.0) * 1000)]
        while True:  # the slot is taken when the request really leaves, as SiteBudget.hold does
            wait_ms = int(await self._script(keys=keys, args=args))
            if wait_ms <= 0:
                return
            await asyncio.sleep(wait_ms / 1000)


class RedisSiteBudgetHandler(SiteBudgetHandler):
    """The http(s) download handler of a worker: SiteBudgetHandler with the budget in Redis."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.budget = RedisSiteBudget(settings.getfloat("THANTHIEN_SITE_INTERVAL", 1.0),
                                      settings.getbool("THANTHIEN_SIMULATED"), settings.get("REDIS_URL"))


