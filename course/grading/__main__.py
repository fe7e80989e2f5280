"""``python -m course.grading --worker``: a grading worker (started by ``course grade``)."""

import sys

from course.grading.worker import worker_main

if sys.argv[1:] == ["--worker"]:
    sys.exit(worker_main())
sys.exit("usage: python -m course.grading --worker (started by `python -m course grade`)")
