"""The pooled row of the forest plot: a prediction interval clipped at the axis's left end stops
short of the bold model label instead of running into it (issue 33)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from analysis.stats import forest_svg, rma

SVG = "{http://www.w3.org/2000/svg}"
# DejaVu Sans Bold, the font the PNG is drawn with, averages about 0.68 em per character on a
# label such as "Random-effects model (REML)" (measured on the rendered PNG: 238 px at 13 px).
BOLD_EM = 0.68


def test_a_clipped_prediction_interval_leaves_the_model_label_clear():
    rng = np.random.default_rng(3)
    yi, vi = rng.normal(0.3, 0.5, 8), rng.uniform(0.02, 0.08, 8)
    fit = rma(yi, vi, method="REML")
    assert fit.pi_lb < -1.0  # the interval runs past the axis chosen below
    root = ET.fromstring(forest_svg(yi, vi, [f"S{i}" for i in range(8)], fit, xlim=(-1.0, 1.0)))
    label = next(e for e in root.iter(f"{SVG}text") if (e.text or "").startswith("Random-effects model"))
    label_end = float(label.get("x")) + len(label.text) * float(label.get("font-size")) * BOLD_EM
    pi = next(e for e in root.iter(f"{SVG}g") if e.get("class") == "prediction-interval")
    starts = [min(float(line.get("x1")), float(line.get("x2"))) for line in pi.iter(f"{SVG}line")]
    assert min(starts) >= label_end + 4
