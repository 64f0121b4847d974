"""Offline models the user installs: the catalogue, the models folder, download and folder
install (no Qt; the engine reads the folder, the CLI and Settings install into it)."""
