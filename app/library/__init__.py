"""Everything XI Studio keeps on disk: paths, settings, the API key, logs, drafts, history.

No Qt here: the engine and command-line tools use these modules too, and tests can run
them on plain temporary folders.
"""
