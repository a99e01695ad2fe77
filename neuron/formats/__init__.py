"""Readers (and the writer) for the files trained models come in.

Each format lives in a module of its own and is imported only when a file of
that kind is read, so ``import neuron`` stays cheap.
"""
