#!/usr/bin/env python3
"""Compare tickdesk's indicator table with TA-Lib's reference file.

usage: compare_talib.py OURS.csv REFERENCE.csv[.gz]

OURS is what `tickdesk indicators SYMBOL INTERVAL --out OURS.csv` writes; REFERENCE is
shared/reference/talib/SYMBOL-1h.csv.gz. Rows are matched by open_time; both files must hold the
same rows and every reference column must be present in OURS.

Rule, per cell: a value exactly where the reference has one (an empty field where it is empty),
and |ours - theirs| <= 1e-9 * |theirs|, or <= 1e-9 absolute when |theirs| < 1e-6.
Exits 0 when everything agrees, 1 with a summary per column otherwise, 2 on unusable input.
Standard library only.
"""
import csv
import gzip
import math
import sys

REL = 1e-9
ABS = 1e-9
NEAR_ZERO = 1e-6
SHOW = 5  # mismatches listed per column


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", newline="")
    return open(path, newline="")


def read(path):
    """Header (without open_time) and {open_time: row of raw fields}, in file order."""
    with open_text(path) as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header or header[0] != "open_time":
            raise ValueError(f"{path}: first column must be open_time")
        rows = {}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError(f"{path}:{line}: {len(row)} fields, header has {len(header)}")
            if row[0] in rows:
                raise ValueError(f"{path}:{line}: open_time {row[0]} repeated")
            rows[row[0]] = row[1:]
        return header[1:], rows


def number(field):
    return None if field == "" else float(field)


def agrees(ours, theirs):
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    bound = ABS if abs(theirs) < NEAR_ZERO else REL * abs(theirs)
    return abs(ours - theirs) <= bound


def describe(ours, theirs):
    show = lambda v: "(none)" if v is None else repr(v)
    if ours is None or theirs is None:
        return f"ours {show(ours)}, theirs {show(theirs)}"
    rel = abs(ours - theirs) / abs(theirs) if theirs else math.inf
    return f"ours {ours!r}, theirs {theirs!r}, abs {abs(ours - theirs):.3g}, rel {rel:.3g}"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        our_cols, ours = read(argv[1])
        ref_cols, theirs = read(argv[2])
    except (OSError, ValueError, csv.Error) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    missing = [c for c in ref_cols if c not in our_cols]
    if missing:
        print(f"error: {argv[1]} lacks columns: {', '.join(missing)}", file=sys.stderr)
        return 2
    only_ref = [t for t in theirs if t not in ours]
    only_ours = [t for t in ours if t not in theirs]
    at = {c: our_cols.index(c) for c in ref_cols}
    bad = {c: [] for c in ref_cols}
    checked = 0
    for t, ref_row in theirs.items():
        row = ours.get(t)
        if row is None:
            continue
        for j, col in enumerate(ref_cols):
            o, r = number(row[at[col]]), number(ref_row[j])
            checked += 1
            if not agrees(o, r):
                bad[col].append((t, o, r))
    failing = {c: v for c, v in bad.items() if v}
    print(f"{len(theirs)} reference rows, {len(ref_cols)} columns, {checked} cells compared")
    ok = not failing and not only_ref and not only_ours
    if only_ref:
        print(f"MISSING: {len(only_ref)} reference rows absent from ours, first open_time {only_ref[0]}")
    if only_ours:
        print(f"EXTRA: {len(only_ours)} rows not in the reference, first open_time {only_ours[0]}")
    for col, rows in failing.items():
        print(f"FAIL {col}: {len(rows)} mismatching rows")
        for t, o, r in rows[:SHOW]:
            print(f"  open_time {t}: {describe(o, r)}")
        if len(rows) > SHOW:
            print(f"  ... and {len(rows) - SHOW} more")
    if ok:
        print("ok: every column matches TA-Lib (values within 1e-9, warm-ups identical)")
        return 0
    print(f"{len(failing)} of {len(ref_cols)} columns disagree")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
