"""One analysis module per chapter with a graded master, named after the chapter's slug with
``_`` for ``-``: the chapter's analysis and charts, tested in ``tests/test_<slug>.py``."""
