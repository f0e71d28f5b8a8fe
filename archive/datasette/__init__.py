"""Datasette publication: metadata, and the plugin that makes search fold diacritics."""
