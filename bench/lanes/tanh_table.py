#!/usr/bin/env python3
"""
Coefficients of rg_tanh_v's table (native/repgeom_activations.h, AVX-512 variant): tanh on [0, 12] as 32
polynomials of degree 5, one per slot, each lane fetching its slot's coefficients with a permute.

Slots follow the bits of |x|: slot (bits(|x|) >> 21) & 31 is a quarter of a binade (exponent and the top two
mantissa bits), for |x| from 7/4 * 2^-5 to 12; the index is taken from |x| clamped to [7/4 * 2^-5, 12], so every
|x| below 7/4 * 2^-5 lands in the slot of [7/4 * 2^-5, 2^-4), which the table gives to [0, 2^-4) instead, and
every |x| from 10 up in a slot whose polynomial is the constant 1 (tanh rounds to 1 in float from 9.01).
Within a slot tanh(m + r) ~ c0 + c1 r + ... + c5 r^5 with r = |x| - m exact (Sterbenz).

- slot of [0, 2^-4): m = 0, x + c3 x^3 + c5 x^5 (odd, c1 = 1 exactly: tanh x = x for tiny x, -0 stays -0),
  c3 and c5 fitted for relative error;
- every other slot [a, b): m a float near the middle where tanh(m) is within a few thousandths of an ulp
  of a float, c0 = that float (the polynomial is then exact to float precision where r = 0), c1..c5 a
  least-squares fit on 4000 points weighted by 1 / ulp(tanh x), each coefficient rounded to float in turn
  and the higher ones re-fitted with it fixed, then a few Lawson reweightings towards the minimax fit.

The accuracy is not judged here but exhaustively in C over every float: bench/lanes/tanh_bench.c.
Prints the C table (positions already rotated to (bits >> 21) & 31).

    python3 bench/lanes/tanh_table.py > /tmp/tanh_table.h
"""
import numpy as np

F32 = np.float32
DEG = 5
LO = 0.0546875  # 7/4 * 2^-5: the index is taken from max(|x|, LO)
HI = 12.0       # ... and from min(|x|, HI)


def slot_of(v):
    return (int(np.array(v, dtype=F32).view(np.int32)) >> 21) & 31


def ulp(y):
    return np.spacing(np.abs(y).astype(F32)).astype(np.float64)


def ulps_off_float(v):
    """How far tanh(v) is from the nearest float, in ulp."""
    t = np.tanh(np.float64(v))
    return abs(t - float(F32(t))) / float(ulp(t))


def pick_m(a, b):
    """A float near the middle of [a, b) whose tanh is closest to a float."""
    mid = F32((a + b) / 2)
    bits = int(np.array(mid, dtype=F32).view(np.int32))
    width = int(np.array(F32(b), dtype=F32).view(np.int32)) - int(np.array(F32(a), dtype=F32).view(np.int32))
    cands = np.arange(bits - width // 8, bits + width // 8, max(1, width // 40000), dtype=np.int32).view(F32)
    off = np.array([ulps_off_float(c) for c in cands])
    return float(cands[int(np.argmin(off))])


def fit(a, b, m, powers, fixed):
    """Coefficients of r^k for k in powers (float), fixed ones given; weighted least squares + Lawson."""
    x = np.linspace(a, b, 4000)
    y = np.tanh(x)
    r = x - m
    w0 = 1.0 / ulp(y)
    coef = dict(fixed)
    free = [k for k in powers if k not in coef]
    lw = np.ones_like(x)
    for it in range(6):  # Lawson: weights grow where the error is largest
        c = dict(coef)
        for j, k in enumerate(free):  # round the lowest free coefficient, refit the rest
            rest = free[j:]
            A = np.stack([r ** q for q in rest], axis=1) * (w0 * np.sqrt(lw))[:, None]
            rhs = (y - sum(c[q] * r ** q for q in c)) * w0 * np.sqrt(lw)
            sol = np.linalg.lstsq(A, rhs, rcond=None)[0]
            c[k] = float(F32(sol[0]))
        err = np.abs(sum(c[q] * r ** q for q in c) - y) * w0
        lw = lw * (err + 1e-3 * err.max())
        lw /= lw.sum()
        if it == 0 or err.max() < best[0]:
            best = (err.max(), c)
    return [best[1].get(k, 0.0) for k in range(DEG + 1)]


def slots():
    """(position, a, b) for the logical slots: [0, 2^-4), then quarter binades from 2^-4 up to 12."""
    out = [(slot_of(LO), 0.0, 0.0625)]
    a = 0.0625
    while a <= HI:
        e = 2.0 ** np.floor(np.log2(a))
        b = a + e / 4
        if slot_of(a) != slot_of(LO):
            out.append((slot_of(a), a, b))
        a = b
    return out


def main():
    table = {}
    for pos, a, b in slots():
        if a == 0.0:
            m, c = 0.0, fit(0.0, b, 0.0, [1, 3, 5], {0: 0.0, 1: 1.0})
        elif a >= 10.0:
            m, c = a, [1.0] + [0.0] * DEG
        else:
            m = pick_m(a, b)
            c = fit(a, b, m, range(DEG + 1), {0: float(F32(np.tanh(m)))})
        table[pos] = (a, b, m, c)
    assert sorted(table) == list(range(32)), sorted(table)
    def fmt(v):
        t = "%.9g" % F32(v)
        return t + ("f" if ("." in t or "e" in t) else ".0f")
    print("/* rows: m, c0, c1, c2, c3, c4, c5; column p = (bits(|x|) >> 21) & 31, covering */")
    for p in range(32):
        a, b, m, _ = table[p]
        print("/*   %2d: [%g, %g)%s */" % (p, a, b, "" if a else " (odd: x + c3 x^3 + c5 x^5)"))
    print("static const float rg_tanh_table[7][32] __attribute__((aligned(64))) = {")
    rows = [[table[p][2] for p in range(32)]] + [[table[p][3][k] for p in range(32)] for k in range(DEG + 1)]
    for row in rows:
        cells = [fmt(v) for v in row]
        print("    {" + ", ".join(cells[:8]) + ",")
        for i in (8, 16):
            print("     " + ", ".join(cells[i:i + 8]) + ",")
        print("     " + ", ".join(cells[24:]) + "},")
    print("};")

if __name__ == "__main__":
    main()
