"""inference: prompt building, constrained decoding, the engine, batch screening and serving."""
