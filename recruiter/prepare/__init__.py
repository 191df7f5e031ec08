"""prepare: raw hiring exports -> clean, PII-masked, de-duplicated, leak-free splits."""
