"""AI Recruiter: self-hosted candidate screening with audited, advisory LLM decisions."""

__version__ = "0.1.0"

import logging as _logging

# bitsandbytes (>= 0.49) tries to fetch a CPU 4-bit kernel from the Hugging Face hub at import
# time and logs a warning when it cannot; this product never downloads at run time, and the
# built-in kernel it falls back to is what we measure, so the warning is only noise.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
