"""thanthien's own signals: spiders and middlewares announce, the run recorder books."""

#: a fault happened (sent with kind, url, status, detail, final): every occurrence, retried or not
fault = object()
