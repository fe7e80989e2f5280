"""The hand-curated course tables, each read through the checked loader ``tables`` (a bad row is
an error naming file, line and column): ``timeline`` (dated events and leader contacts),
``oral_history`` (the SMU interviewees and their coded explanations), ``opinion`` (poll
figures), ``excerpts`` (primary-source excerpts with their licence), ``congress`` (roll-call votes). The coded Russian principals are read by ``course.chapters.russia_in_washington``, and
the FARA files by ``course.fara``."""
