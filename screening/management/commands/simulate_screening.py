"""Replay a labelled CSV through the prioritiser the app uses; the last stdout line is one JSON object."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from screening.prioritise import LabelledSetError, SimulationOptions, load_labelled_csv, simulate
from screening.prioritise.protocol import parse_protocol, protocol_scores


class Command(BaseCommand):
    help = ("Simulate priority screening on a labelled CSV (columns title, abstract, label_included or "
            "included; .gz allowed): start from one included and one excluded record chosen by --seed, "
            "screen by ranking, and print WSS@95, recall at 10 %/25 % and the stopping rules' figures "
            "as JSON on the last line. --protocol blends a score from the review's protocol text with the "
            "model's; --cold-start starts from the protocol alone, without start records.")

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, type=Path, help="labelled CSV file (may be gzipped)")
        parser.add_argument("--seed", required=True, type=int, help="chooses the two start records")
        parser.add_argument("--target", type=float, default=0.95, help="stopping rule's target recall")
        parser.add_argument("--confidence", type=float, default=0.95, help="stopping rule's confidence")
        parser.add_argument("--heuristic-run", type=int, default=None,
                            help="exclusions in a row for the heuristic (default 5 %% of records, at least 50)")
        parser.add_argument("--protocol", type=Path, default=None,
                            help="text file: the review's question, PICO and eligibility criteria; lines "
                                 "'include: a, b' and 'exclude: c, d' give keywords")
        parser.add_argument("--cold-start", action="store_true",
                            help="start from the protocol alone (no start records; needs --protocol)")

    def handle(self, *args, **opts):
        path: Path = opts["csv"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        for name in ("target", "confidence"):
            if not 0 < opts[name] < 1:
                raise CommandError(f"--{name} must lie strictly between 0 and 1, not {opts[name]}.")
        protocol = self._protocol(opts["protocol"], opts["cold_start"])
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
        n_start = 0 if opts["cold_start"] else 2  # records given before screening starts
        to_find = labelled.n_included - n_start // 2

        def progress(screened: int, found: int, total: int) -> None:
            if screened >= next_line[0] or found == to_find:
                next_line[0] = (screened // step + 1) * step
                print(f"  screened {screened} of {total - n_start}, found {found} of {to_find}",
                      file=sys.stderr)

        try:
            prior = protocol_scores(labelled.texts, protocol) if protocol else None
            result = simulate(labelled.texts, labelled.labels, opts["seed"], options=options, progress=progress,
                              prior_scores=prior, cold_start=opts["cold_start"])
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        summary = result.summary()
        print(f"done in {time.monotonic() - started:.1f} s", file=sys.stderr)
        self.stdout.write(json.dumps(summary))

    @staticmethod
    def _protocol(path: Path | None, cold_start: bool):
        if path is None:
            if cold_start:
                raise CommandError("--cold-start needs --protocol FILE (the text it starts from).")
            return None
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            protocol = parse_protocol(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text ({exc}).") from exc
        if protocol.is_empty:
            raise CommandError(f"{path} holds no protocol text or include keywords.")
        return protocol
