#!/usr/bin/env python3
"""Builds eval/external/<source>/en.json from local copies of public data sets.

Usage: python3 eval/external/sample.py BITEXT_CSV BANKING77_TEST_CSV CLINC150_DATA_FULL_JSON
(see eval/external/README.md for where each file comes from). Deterministic: the same
inputs give the same files. Only intents that clearly map to the demo pack's intents (or
Baton's runtime intents) are kept; items that also name another intent are dropped.
"""
import csv, json, random, re, sys
from pathlib import Path

OUT = Path(__file__).resolve().parent
SEED = 11


def shape(text):
    """Template shape: numbers, amounts and names do not make a new item."""
    t = re.sub(r"\d[\d,.]*", "0", text.lower())
    t = re.sub(r"\b(mr|ms|mrs)\.? \w+|\b[A-Z][a-z]+ [A-Z][a-z]+\b", "x", t)
    return re.sub(r"[^a-z0]+", " ", t).strip()


def norm(text):
    return re.sub(r"[^\w]+", " ", text.lower()).replace("_", " ").strip()


ROOT = OUT.parent.parent
# Items Baton already trains on ("bye", "track my order") measure nothing new: left out.
TRAINED = {norm(u) for d in [ROOT / "src/understanding/corpus", *ROOT.glob("packs/*/training")] for f in d.glob("*.json") for us in json.load(open(f, encoding="utf-8")).values() for u in us}


def pick(texts, n, exclude=None):
    seen, out = set(), []
    for t in sorted(set(x.strip() for x in texts)):
        if (exclude and exclude.search(t)) or norm(t) in TRAINED:
            continue
        s = shape(t)
        if s in seen:
            continue
        seen.add(s)
        out.append(t)
    random.Random(SEED).shuffle(out)
    return out[:n]


def write(source, items):
    (OUT / source).mkdir(exist_ok=True)
    (OUT / source / "en.json").write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
    print(source, len(items))


def main(bitext_csv, banking_csv, clinc_json):
    rows = list(csv.DictReader(open(bitext_csv, encoding="utf-8")))
    by = lambda intent: [r["instruction"] for r in rows if r["intent"] == intent]
    bitext = {  # Bitext intent -> (Baton intent, how many)
        "cancel_order": ("order.cancel", 35), "track_order": ("order.status", 35),
        "get_refund": ("billing.refund", 35), "track_refund": ("billing.refund", 25),
        "check_invoice": ("billing.invoice", 25), "get_invoice": ("billing.invoice", 25),
        "contact_human_agent": ("human.request", 35),
    }
    write("bitext", [{"text": t, "intent": baton, "source_intent": src} for src, (baton, n) in bitext.items() for t in pick(by(src), n)])

    rows = list(csv.DictReader(open(banking_csv, encoding="utf-8")))
    by = lambda intent: [r["text"] for r in rows if r["category"] == intent]
    other = re.compile(r"cancel|charged? (me )?twice|double|card|top.?up|transfer|exchange", re.I)
    banking = {
        "transaction_charged_twice": ("billing.double_charge", 40, None),
        "request_refund": ("billing.refund", 35, other), "refund_not_showing_up": ("billing.refund", 25, other),
    }
    write("banking77", [{"text": t, "intent": baton, "source_intent": src} for src, (baton, n, ex) in banking.items() for t in pick(by(src), n, ex)])

    data = json.load(open(clinc_json, encoding="utf-8"))["test"]
    by = lambda intent: [u for u, i in data if i == intent]
    clinc = {
        "order_status": ("order.status", 30, re.compile(r"amazon|walmart|ebay|groceries|shopping list", re.I)),
        # CLINC's "greeting" is mostly "how are you"; only real greetings map to ours.
        "greeting": ("greeting", 30, re.compile(r"^(?!.*\b(hi|hello|hey|good (morning|afternoon|evening)|greetings)\b)", re.I)),
        "goodbye": ("goodbye", 30, None), "thank_you": ("thanks", 30, None),
    }
    write("clinc150", [{"text": t, "intent": baton, "source_intent": src} for src, (baton, n, ex) in clinc.items() for t in pick(by(src), n, ex)])


if __name__ == "__main__":
    main(*sys.argv[1:4])
