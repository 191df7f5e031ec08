"""train: LoRA / QLoRA fine-tuning of the reasoning recruiter with assistant-only loss."""
