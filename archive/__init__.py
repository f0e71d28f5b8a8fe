"""The SQLite archive (sqlite-utils), its Datasette publication, exports and the `thanthien` CLI."""
