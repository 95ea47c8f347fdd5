"""How models run here: ONNX Runtime sessions on the CPU, and files derived from models
once and kept on disk."""
