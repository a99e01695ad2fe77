"""Recognise PyTorch ``.pt`` / ``.pth`` checkpoints, and refuse them with advice.

``torch.save`` writes a Python pickle: since PyTorch 1.6 a zip archive whose
members live under one folder (``<name>/data.pkl`` holds the pickle,
``<name>/data/0``, ``<name>/data/1``, ... the tensor bytes); before that, a
bare pickle stream, which starts with the PROTO opcode ``b"\\x80"`` and a
protocol number.  Unpickling can run arbitrary code, so neuron never does it.
The safetensors format holds the same tensors as plain data.

>>> looks_like_torch_pickle(b"\\x80\\x02\\x8a\\x0al\\xfc\\x9cF\\xf9 j\\xa8P\\x19.")
True
>>> looks_like_torch_pickle(b"\\x93NUMPY")
False
"""

from neuron.errors import FormatError

SAVE_AS_SAFETENSORS = (
    'from safetensors.torch import save_file; '
    'save_file(model.state_dict(), "model.safetensors")'
)


def looks_like_torch_pickle(data):
    """True if ``data`` (bytes) looks like a file written by ``torch.save``.

    That is a zip with a ``data.pkl`` member (``<name>/data.pkl``), or a
    bare pickle stream (PROTO opcode ``0x80`` with protocol 2 to 5).
    Never raises for malformed input: anything else is simply False.
    """
    data = bytes(data[:]) if isinstance(data, (bytearray, memoryview)) else data
    if not isinstance(data, bytes):
        return False
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return True
    if data[:4] == b"PK\x03\x04":
        return any(_is_pickle_member(name) for name in _zip_names(data))
    return False


def refuse_torch_pickle(source=None):
    """Raise a FormatError explaining why a PyTorch pickle is not read, and what to do.

    >>> refuse_torch_pickle("model.pt")
    Traceback (most recent call last):
    ...
    neuron.errors.FormatError: model.pt: PyTorch .pt/.pth files are Python pickles, ...
    """
    raise FormatError(
        "PyTorch .pt/.pth files are Python pickles, which neuron never loads because "
        "unpickling can run arbitrary code. Save the weights as safetensors instead: "
        + SAVE_AS_SAFETENSORS, source)


def _is_pickle_member(name):
    return name == "data.pkl" or (name.endswith("/data.pkl") and name.count("/") == 1)


def _zip_names(data):
    import io
    import struct
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            struct.error, UnicodeDecodeError, NotImplementedError):
        return []
