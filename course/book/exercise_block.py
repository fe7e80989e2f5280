"""The ``{course-exercises}`` directive: a chapter's "Get the exercise" block, from its slug.

A chapter writes only::

    ```{course-exercises}
    ```

and gets the download links to its student zip and notebook (published under ``exercises/``
by ``course.book.site``), the Colab steps and the pointer to the instructor guide. The slug is the
page's file name (``chapters/<slug>.md``); its master must exist as ``exercises/<slug>.ipynb``,
otherwise the strict build warns and fails.
"""

from __future__ import annotations

import importlib.metadata
import posixpath
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

INSTRUCTOR_GUIDE = "chapters/instructor-guide"


def block_text(slug: str, docname: str, otter_version: str, hub: bool = False) -> str:
    """The block's MyST source for the page ``docname`` and the assignment ``slug``; ``hub``:
    whether ``_config.yml`` names a JupyterHub (its launch button exists only then)."""
    folder = posixpath.dirname(docname) or "."
    zip_url = posixpath.relpath(f"exercises/{slug}.zip", folder)
    notebook_url = posixpath.relpath(f"exercises/{slug}.ipynb", folder)
    where = "Binder or your institution's JupyterHub" if hub else "Binder"
    return f"""\
Get the exercise:

- <a href="{zip_url}">download the student bundle (zip: notebook, the data it reads, its public tests, a README and requirements.txt)</a>,
  unpack it, and follow its `README.md`: install `requirements.txt` (Python 3.11 or later),
  open the notebook, check, export and submit;
- or <a href="{notebook_url}">download the notebook alone (.ipynb)</a>
  if you already have the course's `data/` folder next to it;
- to work online, use the launch button (the rocket icon at the top of this page) to open the
  course on {where}, then upload the zip there.

Check your answers as you go with `grader.check("q1")` and so on; these checks run only the
public tests; more tests, hidden until your work is graded, also count. On Google Colab, upload the zip rather than
the notebook alone, then run `!unzip {slug}.zip` and `!pip install -r requirements.txt` in a
cell (it pins `otter-grader=={otter_version}`): that otter-grader version refuses, on Colab, tests
stored in a notebook, and the zip carries them as files in `tests/`. It cannot export on
Colab either: submit the notebook itself there (*File → Download → Download .ipynb*).
Instructors: see the {{doc}}`instructor guide </{INSTRUCTOR_GUIDE}>`.
"""


class ExercisesDirective(SphinxDirective):
    """``{course-exercises}``: no arguments, no content; everything follows from the page."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0

    def run(self) -> list[nodes.Node]:
        docname = self.env.docname
        slug = posixpath.basename(docname)
        master = Path(self.env.srcdir) / "exercises" / f"{slug}.ipynb"
        # The block changes when the master appears or goes: Sphinx re-reads the page then.
        self.env.note_dependency(str(master))
        if not master.is_file():
            logger.warning(
                f"course-exercises: {docname} has no master exercises/{slug}.ipynb",
                location=(docname, self.lineno),
            )
        container = nodes.container(classes=["course-exercises"])
        launch = self.config.html_theme_options.get("launch_buttons", {}) or {}
        text = block_text(
            slug,
            docname,
            importlib.metadata.version("otter-grader"),
            hub=bool(launch.get("jupyterhub_url")),
        )
        self.state.nested_parse(StringList(text.splitlines(), source=docname), 0, container)
        return [container]


def setup(app):
    app.add_directive("course-exercises", ExercisesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
