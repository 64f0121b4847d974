"""Performance figures for XI Studio, each measured beside its baseline in the same run.

    python -m benchmarks            all figures, full sizes (several minutes)
    python -m benchmarks --quick    small sizes (about a minute; CI runs this)
    python -m benchmarks.startup    one figure on its own (any module below)

See benchmarks/README.md for what each figure means.
"""
