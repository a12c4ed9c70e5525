"""Priority screening: rank unscreened records by likely relevance, and say when to stop.

Pure Python (no Django), so the screening app, the background retraining task, the
``simulate_screening`` command and the benchmarks all call the same code:

- ``Prioritiser(texts).rank(labels) -> Ranking``: ``texts`` are title + abstract of every
  record of a review (``record_text(title, abstract)``), ``labels`` maps the index of each
  screened record to 1 (included) or 0 (excluded). The ranking lists the other indices,
  most likely relevant first, with scores. Build the Prioritiser once (the features, TF-IDF
  and word embeddings, are the costly part) and call ``rank`` after every batch of decisions.
- ``stopping``: the hypergeometric stopping test (Callaghan & Müller-Hansen 2020) on the
  ranked records (``ranked_stopping_test(decisions_in_order, n_records)``, the rule offered)
  or on a random sample of the rest (``sample_stopping_test``), each giving p, whether to
  stop, the estimated recall and remaining relevant records with one-sided bounds; and the
  consecutive-exclusions heuristic.
- ``simulate(texts, labels, seed)``: replay a labelled set; ``.summary()`` gives WSS@95,
  recall at 10 % / 25 % and where each stopping rule stops; ``start_records(labels, seed)``
  is the pair it starts from (so another tool can start from the same two).
"""
from __future__ import annotations

from . import stopping
from .features import FeatureOptions, build_features, record_text
from .labelled import LabelledSet, LabelledSetError, load_labelled_csv
from .model import ModelOptions, Prioritiser, Ranking, rank
from .simulate import SimulationOptions, SimulationResult, simulate, start_records

__all__ = [
    "FeatureOptions", "LabelledSet", "LabelledSetError", "ModelOptions", "Prioritiser", "Ranking",
    "SimulationOptions", "SimulationResult", "build_features", "load_labelled_csv", "rank",
    "record_text", "simulate", "start_records", "stopping",
]
