"""The bundled embedding model: the Embedder seam, its runtimes (onnxruntime, torch), provisioning and ONNX export."""
