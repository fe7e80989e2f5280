"""Helper package for the TrumPutin-pact companion course.

Small modules, one concern each: ``fara`` (DOJ FARA data), ``charts`` (chart theme and
offline renderer), ``exercises`` (otter assignments), ``grading`` (batch grading), ``site``
(Sphinx hooks for the book). ``python -m course`` is the command line.
"""

__version__ = "0.1.0"
