"""eval: decision quality, fairness audit and robustness reports."""
