"""The index folder on disk: passages, vectors (faiss), the Milvus backend; one complete version at a time."""
