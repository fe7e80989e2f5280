"""Helper package for the TrumPutin-pact companion course.

Small modules, one concern each: ``fara`` (DOJ FARA data), ``russia`` (the coded Russian
principals and the 2022 exodus), ``oral_history`` (the SMU interviewees and their coded
explanations), ``timeline`` (dated events and leader contacts), ``bush_putin`` (the
Bush-Putin chapter's summaries, recodes and charts), ``opinion`` (poll figures),
``eras`` (the two eras side by side), ``claims`` (the claims ledger's evidence functions),
``tables`` (checked loader for hand-curated CSVs), ``charts`` (chart theme, offline renderer,
title and highlight helpers), ``dates`` (date text), ``exercises`` (otter assignments),
``grading`` (batch grading), ``site`` (Sphinx hooks for the book, with ``exercise_block`` for the
exercise directive and ``freshness`` for re-execution after a data change), ``pdf`` (the print
edition), ``browser`` (headless Chromium for tests, benchmark and PDF).
``python -m course`` is the command line.
"""

__version__ = "0.1.0"
