#!/usr/bin/env python3
"""Oracle for the sla-credits spec: implements the rules exactly as the
description in orchestrate.yaml states them, computes every example's
expected answer, and checks the spec's examples against it.

    python3 oracle.py            # print the computed examples (JSON) per endpoint
    python3 oracle.py --check    # check orchestrate.yaml's examples: same request,
                                 # same status, response a subset of the oracle's answer
"""
import calendar
import json
import re
import sys
from datetime import datetime, timezone

DEFAULT_TIERS = [
    {"name": "none", "min_availability": 99.9, "credit_percent": 0},
    {"name": "minor", "min_availability": 99.0, "credit_percent": 10},
    {"name": "major", "min_availability": 95.0, "credit_percent": 25},
    {"name": "severe", "min_availability": 0, "credit_percent": 50},
]

# The value the compose file gives SLA_TIERS (deliberately not in order).
ENV_TIERS = (
    '[{"name":"major","min_availability":95,"credit_percent":25},'
    '{"name":"none","min_availability":99.9,"credit_percent":0},'
    '{"name":"severe","min_availability":0,"credit_percent":100},'
    '{"name":"minor","min_availability":99,"credit_percent":10},'
    '{"name":"critical","min_availability":90,"credit_percent":50}]'
)


class Invalid(Exception):
    def __init__(self, field, msg):
        super().__init__(msg)
        self.field = field


def bad(field, msg):
    raise Invalid(field, msg)


def tiers_from_env(raw):
    tiers = DEFAULT_TIERS if raw is None or raw.strip() == "" else json.loads(raw)
    names = set()
    for t in tiers:
        assert t["name"] and t["name"] not in names
        names.add(t["name"])
        assert 0 <= t["min_availability"] <= 100
        assert isinstance(t["credit_percent"], int) and 0 <= t["credit_percent"] <= 100
    assert any(t["min_availability"] == 0 for t in tiers)
    assert len({t["min_availability"] for t in tiers}) == len(tiers)
    # listed by min_availability, highest first
    return sorted(tiers, key=lambda t: -t["min_availability"])


TIERS = tiers_from_env(ENV_TIERS)

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_ts(v, field):
    if not isinstance(v, str) or not TS_RE.match(v):
        bad(field, "must be a UTC timestamp like 2026-02-03T10:00:00Z")
    try:
        dt = datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        bad(field, "not a valid date/time")
    return int(dt.timestamp())


def fmt_ts(secs):
    return datetime.fromtimestamp(secs, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def round_half_up_div(num, den):
    """round(num/den) with halves rounded up, num >= 0, den > 0, in integers."""
    return (2 * num + den) // (2 * den)


def availability(body):
    if not isinstance(body, dict):
        bad("body", "must be a JSON object")
    month = body.get("month")
    if not isinstance(month, str) or not MONTH_RE.match(month):
        bad("month", "must be YYYY-MM")
    y, m = int(month[:4]), int(month[5:])
    if not (1 <= m <= 12) or y < 1970:
        bad("month", "must be YYYY-MM")
    outages = body.get("outages")
    if not isinstance(outages, list):
        bad("outages", "required: an array")
    ivs = []
    for i, o in enumerate(outages):
        if not isinstance(o, dict):
            bad(f"outages[{i}]", "must be an object")
        s = parse_ts(o.get("start"), f"outages[{i}].start")
        e = parse_ts(o.get("end"), f"outages[{i}].end")
        if e <= s:
            bad(f"outages[{i}].end", "must be after start")
        ivs.append((s, e))
    ms = int(datetime(y, m, 1, tzinfo=timezone.utc).timestamp())
    days = calendar.monthrange(y, m)[1]
    month_seconds = days * 86400
    me = ms + month_seconds
    clipped = sorted((max(s, ms), min(e, me)) for s, e in ivs if min(e, me) > max(s, ms))
    merged = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:  # overlapping or touching
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    down = sum(e - s for s, e in merged)
    thousandths = round_half_up_div(100000 * (month_seconds - down), month_seconds)
    return 200, {
        "month": month,
        "month_seconds": month_seconds,
        "merged_outages": [{"start": fmt_ts(s), "end": fmt_ts(e), "seconds": e - s} for s, e in merged],
        "downtime_seconds": down,
        "downtime_minutes": -(-down // 60),
        "availability_percent": thousandths / 1000,
    }


def tier_for(a):
    for t in TIERS:
        if t["min_availability"] <= a:
            return t
    raise AssertionError("no tier")


def credits(body):
    if not isinstance(body, dict):
        bad("body", "must be a JSON object")
    a = body.get("availability_percent")
    if not is_number(a) or not (0 <= a <= 100):
        bad("availability_percent", "required: a number from 0 to 100")
    fee = body.get("monthly_fee_cents")
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
        bad("monthly_fee_cents", "required: a whole number of cents, 0 or more")
    t = tier_for(a)
    credit = round_half_up_div(fee * t["credit_percent"], 100)
    return 200, {
        "tier": t["name"],
        "credit_percent": t["credit_percent"],
        "credit_cents": credit,
        "payable_cents": fee - credit,
    }


def tiers(query):
    out = {"tiers": TIERS}
    if "availability" in query:
        try:
            a = float(query["availability"])
        except ValueError:
            bad("availability", "must be a number from 0 to 100")
        if not (0 <= a <= 100):
            bad("availability", "must be a number from 0 to 100")
        out["match"] = tier_for(a)["name"]
    return 200, out


def call(fn, arg):
    try:
        return fn(arg)
    except Invalid as e:
        return 400, {"error": str(e), "field": e.field}


# name -> (method, path, request, response keys to keep in the subset (None: all))
EXAMPLES = {
    ("GET", "/healthz"): [
        ("healthy", None, lambda _: (200, {"status": "ok"}), None),
    ],
    ("POST", "/v1/availability"): [
        ("merges-overlapping-and-touching-outages", {
            "month": "2026-02",
            "outages": [
                {"start": "2026-02-14T23:50:00Z", "end": "2026-02-15T00:20:30Z"},
                {"start": "2026-02-03T10:30:00Z", "end": "2026-02-03T11:10:00Z"},
                {"start": "2026-02-03T10:00:00Z", "end": "2026-02-03T10:45:00Z"},
                {"start": "2026-02-03T11:10:00Z", "end": "2026-02-03T11:20:00Z"},
            ],
        }, availability, None),
        ("clips-to-the-month-in-a-leap-year", {
            "month": "2024-02",
            "outages": [
                {"start": "2024-03-01T00:00:00Z", "end": "2024-03-01T02:00:00Z"},
                {"start": "2024-01-31T23:00:00Z", "end": "2024-02-01T01:30:00Z"},
                {"start": "2024-02-29T23:59:20Z", "end": "2024-03-01T00:10:00Z"},
            ],
        }, availability, None),
        ("end-not-after-start-is-400", {
            "month": "2026-03",
            "outages": [
                {"start": "2026-03-01T08:00:00Z", "end": "2026-03-01T09:00:00Z"},
                {"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T08:00:00Z"},
            ],
        }, availability, ["field"]),
        ("bad-month-reported-before-bad-outage", {
            "month": "2026-13",
            "outages": [{"start": "yesterday", "end": "2026-03-02T08:00:00Z"}],
        }, availability, ["field"]),
    ],
    ("POST", "/v1/credits"): [
        ("tier-credit-rounds-half-up", {"availability_percent": 99.5, "monthly_fee_cents": 12345}, credits, None),
        ("tier-boundary-is-inclusive", {"availability_percent": 90, "monthly_fee_cents": 99999}, credits, None),
        ("first-invalid-field-is-reported", {"availability_percent": 100.5, "monthly_fee_cents": -1}, credits, ["field"]),
    ],
    ("GET", "/v1/tiers"): [
        ("lists-tiers-highest-first", {}, tiers, None),
        ("matches-a-tier-for-an-availability", {"availability": "97.25"}, tiers, ["match"]),
    ],
}


def computed():
    out = {}
    for (method, path), exs in EXAMPLES.items():
        for name, req, fn, keep in exs:
            status, resp = call(fn, req)
            if keep is not None:
                resp = {k: resp[k] for k in keep}
            out[(method, path, name)] = (req, status, resp)
    return out


def subset(want, have, at="$"):
    if isinstance(want, dict):
        assert isinstance(have, dict), at
        for k in want:
            assert k in have, f"{at}.{k} missing"
            subset(want[k], have[k], f"{at}.{k}")
    elif isinstance(want, list):
        assert isinstance(have, list) and len(want) == len(have), at
        for i, (w, h) in enumerate(zip(want, have)):
            subset(w, h, f"{at}[{i}]")
    else:
        assert type(want) in (int, float) and type(have) in (int, float) and want == have or want == have, \
            f"{at}: spec {want!r}, oracle {have!r}"


def check(path="orchestrate.yaml"):
    import yaml
    spec = yaml.safe_load(open(path))["service"]
    comp = computed()
    n = 0
    for ep in spec["endpoints"]:
        for ex in ep.get("examples", []):
            key = (ep["method"], ep["path"], ex["name"])
            assert key in comp, f"{key}: not in the oracle"
            req, status, resp = comp[key]
            got_req = ex.get("body") if ep["method"] == "POST" else ex.get("query")
            if req is not None:
                assert got_req == req or (got_req is None and req == {}), f"{key}: request differs"
            assert ex["status"] == status, f"{key}: status {ex['status']} vs oracle {status}"
            subset(ex["response"], resp)
            assert ex["response"] == resp, f"{key}: response {ex['response']} vs oracle {resp}"
            n += 1
    assert n == len(comp), f"spec has {n} examples, oracle {len(comp)}"
    print(f"ok: {n} examples match the oracle")


if __name__ == "__main__":
    if "--check" in sys.argv:
        check()
    else:
        for (m, p, name), (req, status, resp) in computed().items():
            print(f"# {m} {p}")
            print(f"        - name: {name}")
            if req:
                print(f"          {'body' if m == 'POST' else 'query'}: {json.dumps(req)}")
            print(f"          status: {status}")
            print(f"          response: {json.dumps(resp)}")
