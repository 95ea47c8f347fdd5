"""How the product's constants were made: each script fits constants citeqa ships on data
the benchmarks do not grade, and its docstring names what it writes and the command that
made the shipped values.

- `calibrate`: qa/calibration.json (abstention thresholds, answer margins, confidence
  curves, the short-answer line);
- `fit_fusion`: the fusion constant and list weights, defaults of qa/settings.py;
- `support_threshold`: the support thresholds of generated answers, defaults of
  qa/compose/support.py.
"""
