"""Print the timeline's events for blind coding: event_id, date, era and text, never the score.

Used for the second coding described in data/timeline/CODEBOOK.md; reads the CSV directly so
that nothing else (scores, charts) is loaded or shown.
"""

import csv
import sys
from pathlib import Path

EVENTS = Path(__file__).resolve().parent.parent / "data" / "timeline" / "events.csv"


def main() -> None:
    with EVENTS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sys.stdout.write(f"{row['event_id']} | {row['date']} | {row['era']} | {row['event']}\n")


if __name__ == "__main__":
    main()
