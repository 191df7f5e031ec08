"""AI Recruiter: self-hosted candidate screening with audited, advisory LLM decisions."""

__version__ = "0.1.0"
