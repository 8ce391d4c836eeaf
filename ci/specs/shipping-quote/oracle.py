#!/usr/bin/env python3
"""Oracle for the shipping-quote spec: implements the rules exactly as the
description in orchestrate.yaml states them, computes every example's
expected answer, and checks the spec's examples against it.

    python3 oracle.py            # print the computed examples as YAML
    python3 oracle.py --check    # check orchestrate.yaml's examples: same request,
                                 # same status, response equal to the oracle's subset
"""
import json
import math
import re
import sys

ZONES = [
    ("domestic", ["DE"]),
    ("eu-near", ["AT", "BE", "CH", "CZ", "DK", "FR", "LU", "NL", "PL"]),
    ("eu-far", ["ES", "FI", "GR", "HU", "IE", "IT", "PT", "RO", "SE"]),
    ("world", []),
]

# carrier -> zone -> (base_cents, per_kg_cents, transit_days); a missing zone is not served
CARRIERS = {
    "swift": {"domestic": (490, 120, 1), "eu-near": (990, 180, 2), "eu-far": (1290, 220, 3), "world": (2490, 450, 5)},
    "parcelo": {"domestic": (450, 140, 2), "eu-near": (950, 200, 3), "eu-far": (1190, 260, 4)},
    "globex": {"domestic": (590, 100, 2), "eu-near": (1090, 160, 2), "eu-far": (1390, 180, 3), "world": (2290, 480, 6)},
}

OVERSIZE_CENTS = 1200   # longest side > 100 cm
HEAVY_CENTS = 2000      # billable weight > 31.5 kg


def parse_percent(raw):
    """FUEL_SURCHARGE_PERCENT in hundredths of a percent."""
    if raw is None or raw == "":
        return 0
    m = re.fullmatch(r"(\d+)(?:\.(\d{1,2}))?", raw)
    assert m, "invalid FUEL_SURCHARGE_PERCENT"
    v = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    assert v <= 10000
    return v


def parse_threshold(raw):
    if raw is None or raw == "":
        return 0
    assert re.fullmatch(r"\d+", raw)
    return int(raw)


# The values the compose file sets.
FUEL_HUNDREDTHS = parse_percent("8.5")
FREE_MIN_ORDER = parse_threshold("15000")

QUOTE_FIELDS = ["carrier", "destination_country", "weight_kg", "length_cm", "width_cm", "height_cm", "order_value_cents"]
COMPARE_FIELDS = QUOTE_FIELDS[1:]


class Invalid(Exception):
    def __init__(self, status, field, msg):
        super().__init__(msg)
        self.status = status
        self.field = field


def bad(field, msg, status=400):
    raise Invalid(status, field, msg)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_whole(v):
    # a JSON number with no fraction and no exponent: json.loads gives int only for those
    return isinstance(v, int) and not isinstance(v, bool)


def zone_of(country):
    for name, countries in ZONES:
        if country in countries:
            return name
    return "world"


def country_ok(v):
    return isinstance(v, str) and re.fullmatch(r"[A-Z]{2}", v) is not None


def parcel(body, fields):
    if not isinstance(body, dict):
        bad("body", "must be a JSON object")
    for k in body:  # in the body's order
        if k not in fields:
            bad(k, "unknown field")
    if "carrier" in fields:
        c = body.get("carrier")
        if c not in CARRIERS:
            bad("carrier", "required: one of swift, parcelo, globex")
    if not country_ok(body.get("destination_country")):
        bad("destination_country", "required: two upper-case letters")
    w = body.get("weight_kg")
    if not is_number(w) or not (0 < w <= 70):
        bad("weight_kg", "required: a number above 0, at most 70")
    for d in ("length_cm", "width_cm", "height_cm"):
        v = body.get(d)
        if not is_whole(v) or not (1 <= v <= 300):
            bad(d, "required: a whole number from 1 to 300")
    ov = body.get("order_value_cents")
    if ov is None:
        ov = 0
    elif not is_whole(ov) or ov < 0:
        bad("order_value_cents", "a whole number, 0 or more")
    dims = [body["length_cm"], body["width_cm"], body["height_cm"]]
    dim_kg = -(-(dims[0] * dims[1] * dims[2]) // 5000)
    half_units = math.ceil(w * 2)  # actual weight rounded up to 0.5 kg, in half kilograms
    billable_half = max(half_units, dim_kg * 2)
    return {
        "zone": zone_of(body["destination_country"]),
        "dim_kg": dim_kg,
        "billable_half": billable_half,
        "longest": max(dims),
        "order_value": ov,
    }


def kg(half):
    return half // 2 if half % 2 == 0 else half / 2


def price(carrier, p):
    base, per_kg, days = CARRIERS[carrier][p["zone"]]
    weight_cents = per_kg * p["billable_half"] // 2  # per_kg is even: exact
    surcharge = (OVERSIZE_CENTS if p["longest"] > 100 else 0) + (HEAVY_CENTS if p["billable_half"] > 63 else 0)
    subtotal = base + weight_cents + surcharge
    fuel = (2 * subtotal * FUEL_HUNDREDTHS + 10000) // 20000
    discount = 0
    if p["zone"] == "domestic" and FREE_MIN_ORDER > 0 and p["order_value"] >= FREE_MIN_ORDER:
        discount = subtotal + fuel
    return {
        "carrier": carrier,
        "zone": p["zone"],
        "transit_days": days,
        "dimensional_kg": p["dim_kg"],
        "billable_kg": kg(p["billable_half"]),
        "base_cents": base,
        "weight_cents": weight_cents,
        "surcharge_cents": surcharge,
        "fuel_cents": fuel,
        "discount_cents": discount,
        "total_cents": subtotal + fuel - discount,
    }


def quote(body):
    p = parcel(body, QUOTE_FIELDS)
    if p["zone"] not in CARRIERS[body["carrier"]]:
        bad("destination_country", "the carrier does not serve this zone", 422)
    return 200, price(body["carrier"], p)


def compare(body):
    p = parcel(body, COMPARE_FIELDS)
    qs = [price(c, p) for c in CARRIERS if p["zone"] in CARRIERS[c]]
    qs.sort(key=lambda q: (q["total_cents"], q["transit_days"], q["carrier"]))
    return 200, {
        "zone": p["zone"],
        "billable_kg": kg(p["billable_half"]),
        "quotes": [{"carrier": q["carrier"], "total_cents": q["total_cents"], "transit_days": q["transit_days"]} for q in qs],
        "cheapest": qs[0]["carrier"],
    }


def zones(query):
    if "country" in query:
        c = query["country"]
        if not country_ok(c):
            bad("country", "two upper-case letters")
        z = zone_of(c)
        return 200, {"country": c, "zone": z, "carriers": sorted(k for k in CARRIERS if z in CARRIERS[k])}
    return 200, {"zones": [{"name": n, "countries": sorted(cs)} for n, cs in ZONES]}


def call(fn, arg):
    try:
        return fn(arg)
    except Invalid as e:
        return e.status, {"error": str(e), "field": e.field}


SMALL = {"length_cm": 30, "width_cm": 20, "height_cm": 10}

# (method, path) -> [(name, request, function, response keys to keep (None: all))]
EXAMPLES = {
    ("GET", "/healthz"): [
        ("healthy", None, lambda _: (200, {"status": "ok"}), None),
    ],
    ("POST", "/v1/quote"): [
        ("dimensional-weight-and-surcharges", {"carrier": "swift", "destination_country": "FR", "weight_kg": 3.2,
                                               "length_cm": 110, "width_cm": 50, "height_cm": 35}, quote, None),
        ("half-kg-rounding-and-fuel-half-up", {"carrier": "parcelo", "destination_country": "DE", "weight_kg": 7.1,
                                               **SMALL, "order_value_cents": 14999}, quote, None),
        ("carrier-not-serving-zone-is-422", {"carrier": "parcelo", "destination_country": "US", "weight_kg": 1,
                                             **SMALL}, quote, ["field"]),
        ("first-invalid-field-is-reported", {"carrier": "swift", "destination_country": "FR", "weight_kg": 2,
                                             "length_cm": 30, "width_cm": 20.5, "height_cm": 0}, quote, ["field"]),
    ],
    ("POST", "/v1/compare"): [
        ("ranks-by-price-then-days-then-name", {"destination_country": "DE", "weight_kg": 3.5, **SMALL}, compare, None),
        ("free-shipping-ties-break-by-days-then-name", {"destination_country": "DE", "weight_kg": 1.2, **SMALL,
                                                        "order_value_cents": 15000}, compare, None),
        ("unknown-field-is-400", {"destination_country": "NL", "weight_kg": 1, **SMALL, "carrier": "swift"}, compare, ["field"]),
    ],
    ("GET", "/v1/zones"): [
        ("lists-zones-in-order", {}, zones, None),
        ("looks-up-a-country", {"country": "PT"}, zones, None),
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
            if req:
                assert got_req == req, f"{key}: request differs"
                # key order matters for the unknown-field rule
                assert list(got_req) == list(req), f"{key}: request key order differs"
            assert ex["status"] == status, f"{key}: status {ex['status']} vs oracle {status}"
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
