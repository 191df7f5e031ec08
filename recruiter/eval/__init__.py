"""eval: decision quality, fairness audit, robustness suite and reports (``run(cfg, what)``)."""


def run(cfg, what=("decisions",), command: str = "recruiter eval", engine=None):
    from .pipeline import run as _run

    return _run(cfg, what, command, engine)


__all__ = ["run"]
