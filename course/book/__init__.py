"""The book's machinery: ``site`` (Sphinx hooks, with ``static/`` and ``templates/``),
``exercise_block`` (the ``{course-exercises}`` directive), ``freshness`` (re-execution after a
data change), ``downloads`` (chapter downloads that run outside the repository), ``pdf`` (the
print edition) and ``browser`` (headless Chromium for tests, benchmarks and the PDF)."""
