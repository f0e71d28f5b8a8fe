"""Spiders: discovery and fetching only. Content is the pipelines' job."""
