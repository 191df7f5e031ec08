"""retrieval: hard filters, ESCO skills and ontology, the two-tower retriever, FAISS shortlists.

``run(cfg)`` trains and evaluates the retriever (`recruiter retrieval train`). It is imported
lazily: the filters are used by batch screening, which should not pay for the training code.
"""


def run(cfg, command: str = "recruiter retrieval train"):
    from .pipeline import run as _run

    return _run(cfg, command)


__all__ = ["run"]
