"""Helper package for the TrumPutin-pact companion course. Arranged by role:

- ``chapters``: one analysis module per chapter with a graded master, named after its slug
  (``chapters/russia-in-washington.md`` uses ``course.chapters.russia_in_washington``);
- ``datasets``: the checked loader (``tables``) and the hand-curated tables it reads
  (``timeline``, ``oral_history``, ``opinion``);
- ``fara``: the DOJ FARA registry (bulk files, validation, ``active_on``, derived datasets) and
  its ``data build|refresh`` verbs;
- ``claims``: the claims ledger's evidence functions (``data/claims.csv``);
- ``exercises`` and ``grading``: otter assignments, and sandboxed batch grading;
- ``book``: the book's machinery (Sphinx hooks, the exercise directive, re-execution after a
  data change, chapter downloads, the print edition, headless Chromium);
- shared helpers every chapter uses: ``charts`` (theme, offline renderer, title and highlight),
  ``dates`` (date text), ``files`` (atomic writes), ``paths``.

``python -m course`` is the command line.
"""

__version__ = "0.1.0"
