"""Fuzzing harnesses for the readers (see fuzz/README.md)."""
