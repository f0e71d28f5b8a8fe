"""Item pipelines and the pure functions behind them: fetch → normalize → extract → classify → structure → dedupe → store."""
