"""Replay a labelled CSV through the prioritiser the app uses; the last stdout line is one JSON object."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from screening.prioritise import LabelledSetError, SimulationOptions, load_labelled_csv, simulate


class Command(BaseCommand):
    help = ("Simulate priority screening on a labelled CSV (columns title, abstract, label_included or "
            "included; .gz allowed): start from one included and one excluded record chosen by --seed, "
            "screen by ranking, and print WSS@95, recall at 10 %/25 % and the stopping rules' figures "
            "as JSON on the last line.")

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, type=Path, help="labelled CSV file (may be gzipped)")
        parser.add_argument("--seed", required=True, type=int, help="chooses the two start records")
        parser.add_argument("--target", type=float, default=0.95, help="stopping rule's target recall")
        parser.add_argument("--confidence", type=float, default=0.95, help="stopping rule's confidence")
        parser.add_argument("--heuristic-run", type=int, default=None,
                            help="exclusions in a row for the heuristic (default 5 %% of records, at least 50)")

    def handle(self, *args, **opts):
        path: Path = opts["csv"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        for name in ("target", "confidence"):
            if not 0 < opts[name] < 1:
                raise CommandError(f"--{name} must lie strictly between 0 and 1, not {opts[name]}.")
        try:
            labelled = load_labelled_csv(path)
        except LabelledSetError as exc:
            raise CommandError(str(exc)) from exc
        options = SimulationOptions(target=opts["target"], confidence=opts["confidence"],
                                    heuristic_run=opts["heuristic_run"])
        started = time.monotonic()
        print(f"{path.name}: {len(labelled.texts)} records, {labelled.n_included} included", file=sys.stderr)

        step = max(100, len(labelled.texts) // 20)  # about 20 progress lines at most
        next_line = [step]

        def progress(screened: int, found: int, total: int) -> None:
            if screened >= next_line[0] or found == labelled.n_included - 1:
                next_line[0] = (screened // step + 1) * step
                print(f"  screened {screened} of {total - 2}, found {found} of {labelled.n_included - 1}",
                      file=sys.stderr)

        try:
            result = simulate(labelled.texts, labelled.labels, opts["seed"], options=options, progress=progress)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        summary = result.summary()
        print(f"done in {time.monotonic() - started:.1f} s", file=sys.stderr)
        self.stdout.write(json.dumps(summary))
