"""Revisions, oldest first; a package so they ship with `bot`."""
