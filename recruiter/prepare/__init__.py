"""prepare: raw hiring exports -> clean, PII-masked, de-duplicated, leak-free splits.

``run(cfg)`` is the stage; ``synth.run(cfg)`` writes the embedded synthetic corpus.
"""

from .pipeline import run

__all__ = ["run"]
