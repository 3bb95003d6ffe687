"""Runs inside bench/.venv-recognizers (started by bench/compare_recognizers.py).

Reads JSON on stdin: {"texts": [str, ...], "timing_text": str, "repeat": int}.
Writes JSON on stdout: {"results": [[{text, start, end, type, value, unit}, ...], ...],
"timing": {"chars": int, "seconds": float}}. `end` is exclusive. Every text goes
through Microsoft Recognizers-Text's number, percentage, dimension and currency
models for Culture.Chinese; the timing runs all four on `timing_text`, `repeat` times.
"""

import json
import sys
import time

from recognizers_suite import (
    Culture,
    recognize_currency,
    recognize_dimension,
    recognize_number,
    recognize_percentage,
)

MODELS = (recognize_number, recognize_percentage, recognize_dimension, recognize_currency)


def recognize(text):
    out = []
    for model in MODELS:
        for r in model(text, Culture.Chinese):
            resolution = r.resolution or {}
            out.append({
                "text": r.text, "start": r.start, "end": r.end + 1, "type": r.type_name,
                "value": resolution.get("value"), "unit": resolution.get("unit"),
            })
    return out


def main():
    request = json.load(sys.stdin)
    results = [recognize(t) for t in request.get("texts", [])]
    timing = None
    text = request.get("timing_text")
    if text:
        repeat = int(request.get("repeat", 1))
        started = time.perf_counter()
        for _ in range(repeat):
            for model in MODELS:
                model(text, Culture.Chinese)
        timing = {"chars": len(text) * repeat, "seconds": time.perf_counter() - started}
    json.dump({"results": results, "timing": timing}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
