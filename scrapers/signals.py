"""thanthien's own signals: spiders and middlewares announce, the run recorder books."""

#: a fault happened (sent with kind, url, status, detail, final): every occurrence, retried or not
fault = object()


def connect_handlers(crawler, handler, *names: str) -> None:
    """Connect `handler.<name>` to the signal of that name: Scrapy's own, else thanthien's above
    (an extension says which signals it listens to by naming its methods after them)."""
    from scrapy import signals as scrapy_signals

    for name in names:
        signal = getattr(scrapy_signals, name, None) or globals()[name]
        crawler.signals.connect(getattr(handler, name), signal=signal)


class SignalExtension:
    """A Scrapy extension built with its crawler, whose methods named in `listens_to` are connected
    to the signals of those names."""

    listens_to: tuple[str, ...] = ()

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        connect_handlers(crawler, ext, *cls.listens_to)
        return ext
