"""Sample designs generated piecewise: any slice ``[start, stop)`` of a design is computed on its
own, from the design's definition alone, so memory stays bounded at any N and a slice never
depends on how the design was cut into chunks.

* Full-factorial grid: sample ``k`` is the multi-index ``numpy.unravel_index(k, sizes)``
  (C order: the last ``--vary`` changes fastest).
* Latin hypercube (McKay, Beckman & Conover, Technometrics 21(2), 1979): in each dimension
  ``d`` the N samples fall one into each of N equal strata. Sample ``k`` lies in stratum
  ``pi_d(k)``, a pseudo-random permutation of ``0..N-1`` computed index by index (a keyed
  Feistel network with cycle walking, Black & Rogaway, "Ciphers with arbitrary finite
  domains", CT-RSA 2002), at a uniform random position inside it. The permutation keys and the
  positions come from ``numpy.random.SeedSequence([seed, d, ...])`` (positions in fixed blocks
  of :data:`BLOCK` samples, each its own ``numpy.random.Generator``), so the design is a pure
  function of ``(N, number of dimensions, seed)``.
"""

from __future__ import annotations

import numpy as np

#: Samples per random-number block of the LHS positions (fixed: changing it changes designs).
BLOCK = 4096
#: Feistel rounds (4 already give a pseudo-random permutation, Luby & Rackoff 1988).
ROUNDS = 6
_U64 = np.uint64
_MASK64 = (1 << 64) - 1


def grid_size(sizes) -> int:
    """Number of points of a full-factorial grid (product of the sizes, exact)."""
    n = 1
    for s in sizes:
        n *= int(s)
    return n


def grid_indices(sizes, start: int, stop: int) -> list[np.ndarray]:
    """Per dimension, the level index (int64) of grid samples ``start .. stop - 1``."""
    k = np.arange(start, stop, dtype=np.int64)
    if not len(sizes):
        return []
    return [np.asarray(a, dtype=np.int64) for a in np.unravel_index(k, tuple(int(s) for s in sizes))]


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA 2014), vectorised on uint64."""
    x = x + _U64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _keys(seed: int, dim: int) -> np.ndarray:
    return np.random.SeedSequence([seed, dim, 0]).generate_state(ROUNDS, dtype=np.uint64)


def permute(index: np.ndarray, n: int, seed: int, dim: int) -> np.ndarray:
    """A pseudo-random permutation of ``0..n-1`` evaluated at ``index`` (int64 array).

    Balanced Feistel network on the smallest even number of bits covering ``n``; values that
    land outside ``[0, n)`` are encrypted again until they fall inside (cycle walking), which
    keeps the map a bijection of ``[0, n)``."""
    if n < 1:
        raise ValueError("n must be positive")
    bits = max(2, (n - 1).bit_length())
    bits += bits % 2
    half = _U64(bits // 2)
    mask = _U64((1 << (bits // 2)) - 1)
    keys = _keys(seed, dim)

    def encrypt(x: np.ndarray) -> np.ndarray:
        left, right = x >> half, x & mask
        for key in keys:
            left, right = right, left ^ (_splitmix(right ^ key) & mask)
        return (left << half) | right

    with np.errstate(over="ignore"):
        y = encrypt(np.asarray(index, dtype=np.uint64))
        out = y >= _U64(n)
        while out.any():
            y[out] = encrypt(y[out])
            out[out] = y[out] >= _U64(n)
    return y.astype(np.int64)


def _positions(n_start: int, stop: int, seed: int, dim: int) -> np.ndarray:
    """Uniform [0, 1) positions of samples ``n_start .. stop - 1`` inside their strata."""
    first, last = n_start // BLOCK, (stop - 1) // BLOCK
    parts = [np.random.default_rng(np.random.SeedSequence([seed, dim, 1, b])).random(BLOCK)
             for b in range(first, last + 1)]
    block = np.concatenate(parts)
    offset = n_start - first * BLOCK
    return block[offset: offset + (stop - n_start)]


def lhs_unit(n: int, n_dims: int, seed: int, start: int, stop: int) -> list[np.ndarray]:
    """Samples ``start .. stop - 1`` of an ``n``-point Latin hypercube in ``[0, 1)^n_dims``:
    one float array per dimension. ``floor(u * n)`` over all n samples is a permutation of
    ``0..n-1`` in every dimension."""
    if not 0 <= start <= stop <= n:
        raise ValueError(f"slice {start}:{stop} outside 0:{n}")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    if start == stop:
        return [np.zeros(0) for _ in range(n_dims)]
    k = np.arange(start, stop, dtype=np.int64)
    out = []
    for d in range(n_dims):
        stratum = permute(k, n, seed, d)
        u = (stratum + _positions(start, stop, seed, d)) / n
        # keep u inside its stratum despite rounding: floor(u * n) == stratum exactly
        for direction, wrong in ((0.0, lambda: np.floor(u * n) > stratum),
                                 (1.0, lambda: np.floor(u * n) < stratum)):
            bad = wrong()
            while bad.any():
                u[bad] = np.nextafter(u[bad], direction)
                bad = wrong()
        out.append(u)
    return out


__all__ = ["BLOCK", "grid_indices", "grid_size", "lhs_unit", "permute"]
