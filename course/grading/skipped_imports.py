"""Optional imports the grading processes and kernels go without.

jsonschema (imported by nbformat, hence by otter) imports ``rfc3987_syntax`` when it is
installed (jupyterlab's dependencies bring it) to check the "iri" format, and that import
compiles some 40 lark grammars: 1 to 3 s of CPU in every grading process and in every graded
kernel, for a check no grading step makes. Marked absent in ``sys.modules`` before anything
imports jsonschema, the import fails at once and jsonschema skips that one format check.
The package marks them when it is imported; each kernel does the same in its first cell
(``kernel.GRADING_MODE_CELL``).
"""

import sys

SKIPPED_IMPORTS = ("rfc3987_syntax",)


def skip_imports(names=SKIPPED_IMPORTS) -> None:
    """Mark ``names`` absent unless already imported (then there is nothing left to save)."""
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: 'not importable'


skip_imports()
