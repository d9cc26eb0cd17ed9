#!/usr/bin/env python3
"""Helm v4's own reading of values: what `helm install CHART -f … --set …` gives a chart's templates
as `.Values`, computed by Helm's Go SDK (the `helm-python-sdk` wheel, which carries Helm v4.2.3 as
`libhelm_c.so`; no helm binary, no cluster, no network). An independent oracle for acp-check's tests.

Each case is one JSON object; the answer is one JSON object. With `--case JSON` one case is answered
on standard output; without it, cases are read from standard input one per line and answered one per
line, in order (one process answers hundreds of cases: the library loads once).

A case:
    {"chart": DIR,                      # optional: a chart directory; without it, an empty chart
     "values": [FILE, ...],             # -f/--values, in order
     "set": [...], "set_string": [...], "set_json": [...], "set_file": [...], "set_literal": [...],
     "subchart": NAME,                  # optional: also give `.Values` inside charts/NAME
     "helm": 4}                         # 3: read -f files as Helm 3 does (the first document only)

An answer:
    {"values": {...}, "subchart": {...}}   # `.Values` of the chart (and of the subchart), as toJson prints it
    {"error": "...", "stage": "values" | "render"}   # Helm refuses: its message
    {"unsure": "..."}                   # the SDK cannot compute this case exactly (see below)

How Helm's `values.Options.MergeValues` (pkg/cli/values/options.go) is followed:
- `-f`: each file is read by Helm's `loader.LoadValues` (every YAML document, merged in order): the
  file is made the values.yaml of a scratch chart, which Helm's chart loader reads with
  `LoadValues`. With "helm": 3, by `common.ReadValues` (`values_from_yaml`), as Helm 3 reads `-f`.
- Then, in Helm 4's order: --set-json, --set, --set-string, --set-file, --set-literal.
- The files are merged by `merge_maps`, a transcription of Helm's `loader.MergeMaps` (15 lines of Go:
  the SDK does not export it). Nothing else is reimplemented.
- A flag is parsed by Helm's own parser (`strvals`) through the SDK, which parses onto an empty map,
  whereas Helm parses each flag onto the values so far (`strvals.ParseInto`). So:
  * `--set-json KEY=JSON` is parsed after a prefix of pairs that rebuild the values so far
    (`k1=<json>,k2=<json>,FLAG`): Helm's JSON parser then parses the flag onto exactly those values.
    A whole object (`--set-json '{…}'`) is merged with `merge_maps`, as Helm does.
  * the others cannot carry such a prefix (their values are typed, or taken to the end). The flag's
    own map is merged onto the values so far, which is what `ParseInto` does unless the flag's path
    goes into a value that is there already as a list, or as a scalar where the flag needs a map.
    Those cases are answered "unsure" (Helm would index into the list, or fail with an interface
    conversion), never guessed.
- `.Values` is what a template sees: the chart (a copy, with one template added to it and to each
  subchart, `{{ toJson .Values }}`) is rendered with the merged values, so that Helm coalesces them
  with the chart's defaults and its subcharts' (globals included) as an install does.
"""

import json
import os
import shutil
import sys
import tempfile

import helm_python as helm

TEMPLATE = "zz-acp-check-oracle.json"


def merge_maps(a, b):
    """Helm's loader.MergeMaps (pkg/chart/v2/loader/load.go): b over a; maps merge recursively."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_maps(out[k], v)
            continue
        out[k] = v
    return out


class Refused(Exception):
    def __init__(self, message, stage="values"):
        super().__init__(message)
        self.stage = stage


class Unsure(Exception):
    pass


def load_values(path, scratch, helm3):
    """One -f file, read as Helm reads it."""
    with open(path, "rb") as f:
        data = f.read()
    if helm3:
        try:
            return helm.values_from_yaml(data.decode("utf-8", "replace"))
        except helm.HelmError as e:
            raise Refused(f"failed to parse {path}: {e.detail}")
    chart = os.path.join(scratch, "values-reader")
    shutil.rmtree(chart, ignore_errors=True)
    os.makedirs(chart)
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: values-reader\nversion: 0.1.0\n")
    with open(os.path.join(chart, "values.yaml"), "wb") as f:
        f.write(data)
    try:
        with helm.Chart.load(chart) as c:
            return c.values
    except helm.HelmError as e:
        # The chart loader's words for the file: "cannot load values.yaml: REASON".
        reason = e.detail.split("cannot load values.yaml: ", 1)[-1]
        raise Refused(f"failed to parse {path}: {reason}")


def escape_key(key):
    """A key as strvals reads it back: a backslash escapes the next character."""
    return "".join("\\" + c if c in "\\=[,." else c for c in key)


def set_json(flag, base):
    trimmed = flag.strip()
    if trimmed.startswith("{"):
        # json.Unmarshal of the whole text into a map, then MergeMaps. Parsed by Helm's decoder
        # (as the value of a pair): Python only checks that nothing follows the object.
        try:
            end = json.JSONDecoder().raw_decode(trimmed)[1]
        except ValueError:
            end = None
        if end is None or trimmed[end:].strip():
            raise Refused(f"failed parsing --set-json data JSON: {flag}")
        try:
            obj = helm.parse_set_json("k=" + trimmed)["k"]
        except helm.HelmError:
            raise Refused(f"failed parsing --set-json data JSON: {flag}")
        if not isinstance(obj, dict):
            raise Refused(f"failed parsing --set-json data JSON: {flag}")
        return merge_maps(base, obj)
    if "" in base:
        raise Unsure("an empty key in the values so far cannot be rebuilt by a --set-json prefix")
    prefix = "".join(f"{escape_key(k)}={json.dumps(v)}," for k, v in base.items())
    try:
        rebuilt = helm.parse_set_json(prefix)
    except helm.HelmError as e:
        raise Unsure(f"the --set-json prefix does not parse: {e.detail}")
    if rebuilt != base:
        raise Unsure("the --set-json prefix does not rebuild the values so far")
    try:
        return helm.parse_set_json(prefix + flag)
    except helm.HelmError:
        raise Refused(f"failed parsing --set-json data {flag}")


def check_onto(flag_map, base, flag, path=""):
    """Raises Unsure where parsing the flag onto `base` would differ from merging its own map."""
    for k, v in flag_map.items():
        if k not in base:
            continue
        here = f"{path}.{k}" if path else k
        if isinstance(v, dict):
            if isinstance(base[k], dict):
                check_onto(v, base[k], flag, here)
            else:
                raise Unsure(f"{here}: the flag needs a map where the values hold {json.dumps(base[k])}")
        elif isinstance(v, list) and "[" in flag:
            raise Unsure(f"{here}: the flag may index into the list there")


PARSERS = [
    ("set", "--set", lambda s: helm.parse_set_string(s)),
    ("set_string", "--set-string", lambda s: helm.parse_set_string_values(s)),
    ("set_file", "--set-file", lambda s: helm.parse_set_file(s)),
    ("set_literal", "--set-literal", lambda s: helm.parse_set_literal(s)),
]


def merged_user_values(case, scratch):
    base = {}
    helm3 = case.get("helm", 4) == 3
    for path in case.get("values", []):
        base = merge_maps(base, load_values(path, scratch, helm3))
    for flag in case.get("set_json", []):
        base = set_json(flag, base)
    for key, name, parse in PARSERS:
        for flag in case.get(key, []):
            try:
                own = parse(flag)
            except helm.HelmError as e:
                # Parsed onto the values so far, Helm fails too, though it may name an earlier
                # failure there (a path through a value of another type).
                raise Refused(f"failed parsing {name} data: {e.detail}")
            check_onto(own, base, flag)
            base = merge_maps(base, own)
    return base


def render(case, values, scratch):
    chart = os.path.join(scratch, "chart")
    shutil.rmtree(chart, ignore_errors=True)
    source = case.get("chart")
    if source:
        shutil.copytree(source, chart, symlinks=False)
    else:
        os.makedirs(chart)
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: oracle\nversion: 0.1.0\n")
    # One template per chart, top and subcharts: what `.Values` is there.
    charts = [chart]
    sub_dir = os.path.join(chart, "charts")
    if os.path.isdir(sub_dir):
        charts += [os.path.join(sub_dir, d) for d in sorted(os.listdir(sub_dir)) if os.path.isdir(os.path.join(sub_dir, d))]
    for c in charts:
        os.makedirs(os.path.join(c, "templates"), exist_ok=True)
        with open(os.path.join(c, "templates", TEMPLATE), "w") as f:
            f.write("{{ toJson .Values }}\n")
    try:
        with helm.Chart.load(chart) as c:
            name = c.name
            rendered = c.render(values=values, name="release", namespace="default")
    except helm.HelmError as e:
        raise Refused(e.detail, stage="render")
    answer = {"values": json.loads(rendered[f"{name}/templates/{TEMPLATE}"])}
    sub = case.get("subchart")
    if sub:
        key = f"{name}/charts/{sub}/templates/{TEMPLATE}"
        if key not in rendered:
            raise Refused(f"no subchart {sub} was rendered", stage="render")
        answer["subchart"] = json.loads(rendered[key])
    return answer


def answer(case):
    scratch = tempfile.mkdtemp(prefix="helm-oracle-")
    try:
        try:
            values = merged_user_values(case, scratch)
            return render(case, values, scratch)
        except Refused as e:
            return {"error": str(e), "stage": e.stage}
        except Unsure as e:
            return {"unsure": str(e)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    helm.disable_logging()
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(answer(json.loads(sys.argv[2]))))
        return
    if len(sys.argv) != 1:
        sys.exit("usage: oracle.py [--case JSON]   (without --case: cases on standard input, one per line)")
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
