"""Second independent re-implementation of the Easytransac V1 signature (reference §2.2),
in Python, used to cross-check the PHP oracle before the vectors were committed.

It models PHP 8 semantics explicitly (integer keys, is_numeric_string, ksort's key
comparison, stable sort, (string)$float with precision 14 computed exactly with
decimal.Decimal). Usage: python3 easytransac_oracle.py cases.json php_output.json
"""
import decimal
import functools
import hashlib
import json
import re
import sys

INT_KEY = re.compile(r"^(0|-?[1-9][0-9]*)$")
NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$")


def php_key(k):
    if isinstance(k, int):
        return k
    if INT_KEY.match(k) and k != "-0" and -2**63 <= int(k) < 2**63:
        return int(k)
    return k


def numeric(s):
    if isinstance(s, int):
        return decimal.Decimal(s)
    return decimal.Decimal(s.strip(" \t\n\r\v\f")) if NUMERIC.match(s) else None


def cmp(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    na, nb = numeric(a), numeric(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    sa, sb = str(a).encode(), str(b).encode()
    return (sa > sb) - (sa < sb)


def fold(pairs):
    out = {}
    for k, v in pairs:
        lk = php_key(k.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))) if isinstance(k, str) else k
        out[lk] = v  # dict keeps the first position, last value
    items = list(out.items())
    return sorted(items, key=functools.cmp_to_key(lambda x, y: cmp(x[0], y[0])))


def php_float(f):
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    d = decimal.Decimal(f)
    sign = "-" if d < 0 else ""
    d = abs(d)
    exp = d.adjusted()
    q = d.scaleb(-exp).quantize(decimal.Decimal("1.0000000000000"), rounding=decimal.ROUND_HALF_EVEN)
    if q >= 10:
        q, exp = q / 10, exp + 1
    digits = str(q).replace(".", "").rstrip("0") or "0"
    point = exp + 1
    if (point < -3) if point < 0 else (point > 14):
        return f"{sign}{digits[0]}.{digits[1:] or '0'}E{'-' if point - 1 < 0 else '+'}{abs(point - 1)}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def scalar(v):
    if v is True:
        return "1"
    if v is False or v is None:
        return ""
    if isinstance(v, float):
        return php_float(v)
    return str(v)


def pairs_of(value):
    if isinstance(value, list) and not isinstance(value, PairList):
        return [(str(i), v) for i, v in enumerate(value)]
    return list(value)


def canonical(value, key):
    if not isinstance(value, (list, PairList)):
        return scalar(value) + "$" + key
    out = ""
    for k, v in fold(pairs_of(value)):
        if k == "signature":
            continue
        if isinstance(v, (list, PairList)):
            for _, inner in fold(pairs_of(v)):
                assert not isinstance(inner, (list, PairList))
                out += scalar(inner) + "$"
        else:
            out += scalar(v) + "$"
    return out + key


class PairList(list):
    """A JSON object as its ordered (key, value) pairs."""


def parse_form(pairs):
    fields = PairList()
    for name, value in pairs:
        m = re.match(r"^([^\[]+)\[([^\]]*)\]$", name)
        if not m:
            fields[:] = [p for p in fields if p[0] != name]
            fields.append((name, value))
            continue
        base, sub = m.groups()
        nested = next((v for k, v in fields if k == base and isinstance(v, PairList)), None)
        if nested is None:
            fields[:] = [p for p in fields if p[0] != base]
            nested = PairList()
            fields.append((base, nested))
        if sub == "":
            ints = [int(k) for k, _ in nested if INT_KEY.match(k)]
            sub = str(max(ints) + 1 if ints else 0)
        for i, (k, _) in enumerate(nested):
            if k == sub:
                nested[i] = (k, value)
                break
        else:
            nested.append((sub, value))
    return fields


def main():
    cases = json.load(open(sys.argv[1]))
    php = {r["name"]: r for r in json.load(open(sys.argv[2]))}
    bad = 0
    for case in cases:
        if case["kind"] == "json":
            value = json.loads(case["input"], object_pairs_hook=PairList)
        else:
            value = parse_form(case["input"])
        c = canonical(value, case["api_key"])
        sig = hashlib.sha1(c.encode()).hexdigest()
        ok = php[case["name"]]["canonical"] == c and php[case["name"]]["signature"] == sig
        bad += not ok
        print(("ok  " if ok else "DIFF"), case["name"], repr(c) if not ok else "")
    sys.exit(1 if bad else 0)


main()
