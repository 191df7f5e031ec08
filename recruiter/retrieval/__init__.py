"""retrieval: two-tower dense retriever with ESCO-aware negatives, hard filters and FAISS."""
