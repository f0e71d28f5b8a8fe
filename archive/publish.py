"""Serve the archive with Datasette: metadata keyed to the database's name, read-only settings."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import yaml

# Read-only and bounded by default: the archive is published, not edited, over the web.
SERVE_SETTINGS = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 2000,
    "max_csv_mb": 0,  # full CSV exports: the default (100) truncates even _stream=on
    "default_page_size": 50,
    "facet_time_limit_ms": 400,
}


def load_metadata(db_name: str) -> dict:
    """metadata.yml with its database section keyed to the served file's name."""
    text = resources.files("archive.datasette").joinpath("metadata.yml").read_text(encoding="utf-8")
    metadata = yaml.safe_load(text)
    databases = metadata.get("databases", {})
    if databases:
        metadata["databases"] = {db_name: next(iter(databases.values()))}
    return metadata


def datasette_command(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001, immutable: bool = True,
                      metadata_path: Path | None = None) -> list[str]:
    if metadata_path is None:
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", prefix="thanthien-metadata-", delete=False, encoding="utf-8")
        json.dump(load_metadata(db_path.stem), handle, ensure_ascii=False, indent=2)
        handle.close()
        metadata_path = Path(handle.name)
    cmd = [sys.executable, "-m", "datasette", "serve", "--host", host, "--port", str(port), "--metadata", str(metadata_path)]
    cmd += ["--immutable", str(db_path)] if immutable else [str(db_path)]
    for key, value in SERVE_SETTINGS.items():
        cmd += ["--setting", key, str(value)]
    return cmd


def serve(db_path: Path, **kwargs) -> int:
    cmd = datasette_command(db_path, **kwargs)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
