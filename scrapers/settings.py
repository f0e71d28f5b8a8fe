"""Scrapy settings for thanthien. Behaviour is switched here, not by flags threaded through code."""

BOT_NAME = "thanthien"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# Politeness is a feature: an honest agent with a contact URL, robots.txt obeyed, AutoThrottle.
USER_AGENT = (
    "thanthien/0.1 (+https://github.com/thanthien-archive/thanthien; "
    "research archive of Vietnamese local-government news)"
)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DEPTH_PRIORITY = 0

REQUEST_FINGERPRINTER_CLASS = "scrapers.dupefilter.CanonicalURLFingerprinter"

ITEM_PIPELINES = {
    "pipelines.scrapy_pipelines.ExtractPipeline": 300,
    # each record checked against schema/record.schema.json and its fields counted (field_coverage)
    "pipelines.coverage.CoveragePipeline": 500,
    # each article into its story (near-duplicate detection, pipelines/dedupe/): the text analysis
    # here, the match and the story row in the store's transaction (see StoryPipeline)
    "pipelines.scrapy_pipelines.StoryPipeline": 800,
    "pipelines.scrapy_pipelines.StorePipeline": 900,
}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's, fixed: every request that waits for a host's robots.txt gets its rules
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapers.politeness.RobotsTxtMiddleware": 100,
    "scrapers.politeness.CrawlDelayMiddleware": 40,
    "scrapers.middlewares.BackoffDelayMiddleware": 50,
    "scrapers.middlewares.StayOnPortalMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    "scrapers.middlewares.FaultAnnouncer": 560,
    "scrapers.middlewares.RedirectLoopGuard": 610,
}
DOWNLOAD_HANDLERS = {
    "http": "scrapers.politeness.SiteBudgetHandler",
    "https": "scrapers.politeness.SiteBudgetHandler",
}
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 4
#: backoff before retry N: base * 2**N seconds (jittered), unless the portal sends Retry-After
THANTHIEN_RETRY_BACKOFF_BASE = 2.0
THANTHIEN_RETRY_BACKOFF_MAX = 120.0

# `scrapy check portal`: the spider's own contracts (@portal, @page_kind), beside Scrapy's @url/@returns/@scrapes
SPIDER_CONTRACTS = {
    "scrapers.contracts.PortalContract": 10,
    "scrapers.contracts.PageKindContract": 20,
}

EXTENSIONS = {
    "scrapers.extensions.CrawlRunRecorder": 500,
    "scrapers.extensions.WarcRecorder": 510,
}

# thanthien's own settings
THANTHIEN_DB = "archive/thanthien.db"
#: the archive's story index (archive.stories.StoryAssigner) the StoryPipeline uses; archive/crawl.py
#: gives all the crawlers of a run one; None: the StoryPipeline loads it from THANTHIEN_DB
THANTHIEN_STORIES = None
#: what the archive already holds for a portal (known articles, validators, stored Wayback
#: captures), read for the spiders: the one crawl component that reads the archive for them
THANTHIEN_ARCHIVE_STATE_CLASS = "scrapers.archive_state.ArchiveState"
#: where WARC files go (warc/ below it); default: the database's folder
THANTHIEN_ARCHIVE_DIR = None
#: rotate a WARC file once it reaches this size
THANTHIEN_WARC_MAX_BYTES = 100 * 1024 * 1024
#: incremental runs: articles already archived are not fetched again, and a listing stops paginating
#: once a whole page holds only archived articles
THANTHIEN_INCREMENTAL = True
#: with incremental runs, re-request archived articles conditionally (ETag / Last-Modified) to catch edits
THANTHIEN_REFRESH = False
#: how many consecutive listing pages of only-archived articles end a listing (1 = the first such page)
THANTHIEN_STOP_AFTER_KNOWN_PAGES = 1
#: listing pages followed per portal and listing path before the spider stops paginating (traps)
THANTHIEN_MAX_LISTING_PAGES = 300
#: a crawl run row created by the CLI (one row for several portals); the extension makes one otherwise
THANTHIEN_RUN_ID = None

# Wayback Machine recovery (`thanthien recover`, spider "wayback"; etiquette in scrapers/wayback.py)
#: the Archive (or a mirror / the test simulator)
THANTHIEN_WAYBACK_URL = "https://web.archive.org"
#: CDX queries per minute (the Archive tolerates ~60/min averaged over 5 min; EDGI's client uses ~24)
THANTHIEN_CDX_PER_MINUTE = 20
#: snapshot (id_) fetches per minute
THANTHIEN_WAYBACK_PER_MINUTE = 30
#: this many 429 answers in a row stop the run cleanly (resume by running it again later)
THANTHIEN_WAYBACK_MAX_429 = 3
#: wait after a 429 without Retry-After (doubled for each further 429 in a row), seconds
THANTHIEN_WAYBACK_BACKOFF = 60.0
#: a Retry-After longer than this stops the run instead of waiting, seconds
THANTHIEN_WAYBACK_MAX_WAIT = 900.0
#: rows per CDX request (paged with resume keys), and the most pages followed per query
THANTHIEN_CDX_PAGE_SIZE = 1000
THANTHIEN_CDX_MAX_PAGES = 500
#: CDX answers stored in the archive are reused for this many days instead of asking again
THANTHIEN_CDX_CACHE_DAYS = 30

#: one request budget per registrable domain for the whole process (scrapers/politeness.py):
#: at most one request per this many seconds to all hosts under e.g. thanhhoa.gov.vn, or the
#: site's robots.txt Crawl-delay when longer
THANTHIEN_SITE_INTERVAL = 1.0

#: more registry files whose portals the portal spider may crawl by name, beside the production
#: scrapers/portals.toml: `scrapy crawl portal -a portal=sim-quanson -s
#: THANTHIEN_EXTRA_REGISTRIES=portalsim/portals.toml` (the CLI adds the simulator's itself)
THANTHIEN_EXTRA_REGISTRIES: list[str] = []

# For the bundled simulator on 127.0.0.1: no reason to wait between requests to our own process.
# THANTHIEN_SIMULATED exempts loopback hosts only from the site budget; every other host keeps it.
SIMULATOR_SETTINGS = {
    "THANTHIEN_SIMULATED": True,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 8.0,
    "DOWNLOAD_DELAY": 0.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "THANTHIEN_RETRY_BACKOFF_BASE": 0.05,
    "THANTHIEN_RETRY_BACKOFF_MAX": 2.0,
    "DOWNLOAD_TIMEOUT": 10,
}

LOG_LEVEL = "INFO"
# `thanthien crawl` and `demo` set LOG_FILE to <archive dir>/logs/crawl-<run id>.log (archive/crawl.py) and
# show progress instead; `--verbose` shows the log on the terminal too. `scrapy crawl` logs to stderr as usual.
LOG_FILE_APPEND = True
#: without a terminal (CI, cron), `thanthien crawl` writes one progress line this often, seconds
THANTHIEN_PROGRESS_INTERVAL = 10.0
FEED_EXPORT_ENCODING = "utf-8"
