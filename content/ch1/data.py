"""Data for Exercise 1.19 and Labs 1.3–1.4: real GPT-2 weights when cached offline, else stand-ins.

Never downloads. GPT-2 is found in a local Hugging Face cache (`HF_HUB_CACHE`, `HF_HOME/hub` or
`~/.cache/huggingface/hub`, repo `gpt2` or `openai-community/gpt2`) and read with a small
safetensors reader (numpy only; the format is an 8-byte header length, a JSON header, raw bytes).
Without it, deterministic synthetic matrices with a decaying spectrum stand in, and every caller
shows which source it used. The image for Lab 1.4 is generated, so nothing binary ships.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

GPT2_REPOS = ("models--gpt2", "models--openai-community--gpt2")
SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}
MAX_HEADER = 10 * 1024 * 1024

COMMON_WORDS = (
    "the of and to in is was for that on as with by he at from his it an were are which be "
    "this has "
    "also had not but one two first they new after who its their or been other all more she time "
    "would there can we year only used people when some into over most years three her many made "
    "world city about up war no between during state where later united so out may you under if "
    "these music school such four then him both through team could known five house life water man "
    "day long"
).split()
"""A hundred frequent English words, plotted in Lab 1.3 by their GPT-2 token rows."""


@dataclass(frozen=True)
class Source:
    """Where a matrix came from, in words the screen can show."""

    label: str
    real: bool
    detail: str


def hub_dirs() -> list[Path]:
    """Candidate Hugging Face hub cache folders, most specific first."""
    dirs = []
    if os.environ.get("HF_HUB_CACHE"):
        dirs.append(Path(os.environ["HF_HUB_CACHE"]))
    if os.environ.get("HF_HOME"):
        dirs.append(Path(os.environ["HF_HOME"]) / "hub")
    dirs.append(Path.home() / ".cache" / "huggingface" / "hub")
    return dirs


def find_gpt2(dirs: list[Path] | None = None) -> Path | None:
    """The first cached GPT-2 `model.safetensors`, or None (never downloads)."""
    for hub in dirs if dirs is not None else hub_dirs():
        for repo in GPT2_REPOS:
            for path in sorted((hub / repo / "snapshots").glob("*/model.safetensors")):
                if path.is_file():
                    return path
    return None


def read_safetensor(path: Path, names: tuple[str, ...]) -> np.ndarray:
    """One tensor, by the first of `names` present, as a float32 array (memory-mapped read)."""
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > MAX_HEADER:
            raise ValueError(f"{path}: safetensors header of {length} bytes is implausible")
        header = json.loads(handle.read(length))
    name = next((n for n in names if n in header), None)
    if name is None:
        raise KeyError(f"{path}: none of {', '.join(names)} in the file")
    entry = header[name]
    dtype = SAFETENSORS_DTYPES.get(entry["dtype"])
    if dtype is None:
        raise ValueError(
            f"{path}: {name} has dtype {entry['dtype']}, not a float this reader knows"
        )
    start, end = entry["data_offsets"]
    shape = tuple(int(d) for d in entry["shape"])
    array = np.memmap(path, dtype=dtype, mode="r", offset=8 + length + start, shape=shape)
    if array.nbytes != end - start:
        raise ValueError(f"{path}: {name} size does not match its shape")
    return np.asarray(array, dtype=np.float32)


def _gpt2_vocab(model: Path) -> dict[str, int]:
    vocab = model.with_name("vocab.json")
    if vocab.is_file():
        return dict(json.loads(vocab.read_text(encoding="utf-8")))
    tokenizer = model.with_name("tokenizer.json")
    if tokenizer.is_file():
        return dict(json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"])
    return {}


def stand_in_weight() -> np.ndarray:
    """A deterministic 256×512 'layer' with a power-law spectrum, like trained weights have."""
    rng = np.random.default_rng(1906)
    u, _ = np.linalg.qr(rng.standard_normal((256, 256)))
    v, _ = np.linalg.qr(rng.standard_normal((512, 256)))
    sigma = 4.0 * (1.0 + np.arange(256)) ** -0.6 + 0.02
    return ((u * sigma) @ v.T).astype(np.float32)


@lru_cache(maxsize=1)
def linear_weight() -> tuple[np.ndarray, Source]:
    """A pretrained nn.Linear-like weight: GPT-2's first MLP layer (768×3072) or the stand-in."""
    path = find_gpt2()
    if path is not None:
        try:
            weight = read_safetensor(
                path, ("h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.weight")
            )
            return weight, Source("GPT-2 h.0.mlp.c_fc", True, f"read from {path}")
        except (OSError, KeyError, ValueError):
            pass
    return stand_in_weight(), Source(
        "stand-in layer",
        False,
        "no GPT-2 in a local Hugging Face cache; a synthetic 256×512 power-law spectrum",
    )


def stand_in_embeddings(rows: int = 3000, dims: int = 64) -> np.ndarray:
    """Deterministic 'token embeddings': a few topic clusters plus power-law noise."""
    rng = np.random.default_rng(1903)
    centres = rng.standard_normal((6, dims)) * 3.0
    topic = rng.integers(0, 6, size=rows)
    scales = (1.0 + np.arange(dims)) ** -0.5
    return (centres[topic] + rng.standard_normal((rows, dims)) * scales).astype(np.float32)


@lru_cache(maxsize=1)
def embeddings(rows: int = 5000) -> tuple[np.ndarray, list[str], Source]:
    """Token embeddings (at most `rows`, the 100 common words first) with their labels and
    source."""
    path = find_gpt2()
    if path is not None:
        try:
            table = read_safetensor(path, ("wte.weight", "transformer.wte.weight"))
            vocab = _gpt2_vocab(path)
            ids = [vocab["Ġ" + w] for w in COMMON_WORDS if "Ġ" + w in vocab]
            words = [w for w in COMMON_WORDS if "Ġ" + w in vocab]
            taken = set(ids)
            drawn = np.random.default_rng(1903).choice(
                len(table), size=min(rows, len(table)), replace=False
            )
            rest = [int(i) for i in drawn if int(i) not in taken][: rows - len(ids)]
            picked = table[np.array(ids + rest, dtype=np.int64)]
            detail = f"{len(picked)} of {table.shape[0]} rows of wte from {path}"
            return picked, words, Source("GPT-2 token embeddings", True, detail)
        except (OSError, KeyError, ValueError):
            pass
    table = stand_in_embeddings()
    return (
        table,
        list(COMMON_WORDS),
        Source(
            "stand-in embeddings",
            False,
            f"no GPT-2 in a local Hugging Face cache; {table.shape[0]}×{table.shape[1]} "
            "synthetic clusters",
        ),
    )


@lru_cache(maxsize=1)
def test_image(height: int = 96, width: int = 128) -> np.ndarray:
    """A generated greyscale test card in [0, 1]: gradient, disc, ring, stripes and a
    checkerboard."""
    y, x = np.mgrid[0:height, 0:width].astype(float)
    image = 0.25 + 0.35 * x / width + 0.15 * np.sin(y / 9.0)
    disc = (x - 0.3 * width) ** 2 + (y - 0.45 * height) ** 2 < (0.22 * height) ** 2
    image[disc] = 0.92
    radius = np.hypot(x - 0.72 * width, y - 0.4 * height)
    image[(radius > 0.16 * height) & (radius < 0.24 * height)] = 0.08
    stripes = (y > 0.75 * height) & (x < 0.5 * width)
    image[stripes] = 0.5 + 0.45 * np.sign(np.sin(x[stripes] / 2.0))
    checker = (y > 0.72 * height) & (x > 0.6 * width)
    image[checker] = ((x[checker] // 6 + y[checker] // 6) % 2) * 0.8 + 0.1
    return np.clip(image, 0.0, 1.0)
