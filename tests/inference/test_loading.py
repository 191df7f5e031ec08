"""Which precision ``auto`` picks (recruiter/inference/loading.py)."""

from __future__ import annotations

import pytest

from recruiter.errors import InputError
from recruiter.inference import loading


def test_bf16_counts_as_fast_only_with_matrix_units():
    # AVX512-BF16 alone measured slower than float32 (benchmarks/README.md): not fast
    assert not loading.bf16_flags_fast({"avx2", "avx512f", "avx512_bf16", "avx512_vnni"})
    assert loading.bf16_flags_fast({"avx512_bf16", "amx_bf16", "amx_tile"})
    assert loading.bf16_flags_fast({"fp", "asimd", "bf16", "i8mm"})  # Arm BF16 (BFMMLA)
    assert not loading.bf16_flags_fast(set())


def test_resolve_precision():
    assert loading.resolve_precision("auto", "cuda") == "nf4"
    assert loading.resolve_precision("auto", "cpu") in ("bf16", "fp32")
    assert loading.resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(InputError, match="precision must be one of"):
        loading.resolve_precision("int4", "cpu")
