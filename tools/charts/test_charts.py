#!/usr/bin/env python3
"""Self-test of the chart data: run `python3 tools/charts/test_charts.py [REFERENCE_DIR]`.

Checks that gen.py reproduces the committed data/charts/*.txt byte for byte, that its YAML typing is
go-yaml v2's (Helm's reader) and differs from PyYAML's only where the upstream files need it, and a few
facts of the generated data that the Rust side relies on (release order, documented keys, open maps).
Exits non-zero on the first failure of each test.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("gen", HERE / "gen.py")
gen = importlib.util.module_from_spec(spec)
sys.modules["gen"] = gen
spec.loader.exec_module(gen)

REFERENCE = Path(sys.argv[1]) if len(sys.argv) > 1 else gen.DEFAULT_REFERENCE_DIR


def test_generator_reproduces() -> None:
    for name, text in gen.generate(REFERENCE).items():
        committed = (gen.OUTPUT_DIR / name).read_text(encoding="utf-8")
        assert text == committed, f"data/charts/{name} differs from the generator output: run tools/charts/gen.py"


def test_plain_scalars_are_typed_as_go_yaml_v2_types_them() -> None:
    # The cases of src/yaml/mod.rs `plain_scalars_are_typed_as_go_yaml_v2_types_them`, and where
    # PyYAML (YAML 1.1 too) types them otherwise: y/n, 1e3, 0o17, +.5, 1:30, 2001-12-14.
    cases = {
        "y": True, "Y": True, "yes": True, "On": True, "TRUE": True,
        "n": False, "N": False, "no": False, "Off": False, "false": False,
        "6379": 6379, "-1": -1, "+1": 1, "0x1F": 31, "0o17": 15, "017": 15, "0b101": 5, "1_000": 1000,
        "6.20": 6.2, "1e3": 1000.0, ".5": 0.5, "09": 9.0, "1.": 1.0, "-.5": -0.5,
        "~": None, "null": None, "NULL": None, "": None,
        "1:30": "1:30", "2001-12-14": "2001-12-14", "6.2.14": "6.2.14", "0x": "0x", "1e": "1e",
        "9223372036854775808": 9.223372036854776e18, "yes please": "yes please",
    }
    for text, want in cases.items():
        got = gen.plain_scalar(text)
        assert gen.same(got, want), f"{text!r}: {got!r}, want {want!r}"
    assert math.isinf(gen.plain_scalar(".inf")) and math.isnan(gen.plain_scalar(".NaN"))
    values = gen.load_values("a: 'yes'\nb: yes\n1: x\ntrue: y\n~: z\nc: &x [1]\nd: *x\ne: 1\ne: 2\n", "test")
    assert gen.same(values, {"a": "yes", "b": True, "1": "x", "true": True, "null": "z", "c": [1], "d": [1], "e": 2})


def test_typing_matches_pyyaml_on_the_upstream_files() -> None:
    """PyYAML differs from go-yaml v2 on the scalars above; in the upstream files it differs only in
    keys (Helm makes every key a string): the acp chart's `faas.environments.node` of 2.21.0-1 has keys
    4 and 5. Any new difference is listed, to be handled in gen.py and added here."""
    expected = {
        ("acp", "2.21.0-1", "/faas/environments/node", "4"),
        ("acp", "2.21.0-1", "/faas/environments/node", "5"),
        ("acp", "2.21.0-1", "/faas/environments/rego", "5"),
    }
    differences = set()

    def compare(chart, version, ours, theirs, path):
        if isinstance(theirs, dict):
            assert isinstance(ours, dict), (chart, version, path)
            for key, value in theirs.items():
                if not isinstance(key, str):
                    differences.add((chart, version, path, str(key)))
                    key = str(key)
                compare(chart, version, ours[key], value, f"{path}/{key}")
        elif isinstance(theirs, list):
            assert isinstance(ours, list) and len(ours) == len(theirs), (chart, version, path)
            for i, (a, b) in enumerate(zip(ours, theirs)):
                compare(chart, version, a, b, f"{path}/{i}")
        elif not gen.same(ours, theirs):
            differences.add((chart, version, path, f"{ours!r} / PyYAML {theirs!r}"))

    for chart in gen.CHARTS:
        for version, _ in gen.release_order(REFERENCE, chart):
            text = (REFERENCE / "charts" / chart / version / "values.yaml").read_text(encoding="utf-8")
            theirs = yaml.load(text, Loader=gen._BASE_LOADER) or {}
            compare(chart, version, gen.load_values(text, f"{chart} {version}"), theirs, "")
    assert differences == expected, f"differences from PyYAML: {sorted(differences - expected)}, " \
        f"no longer: {sorted(expected - differences)}"


def test_both_pyyaml_loaders_agree() -> None:
    if gen._BASE_LOADER is yaml.SafeLoader:
        return
    pure = type("PureLoader", (yaml.SafeLoader,), {"resolve": gen._Loader.resolve})
    for chart, version in (("redis-cluster", "11.5.4"), ("acp", "2.21.0-1"), ("kube-acp-stack", "2.26.2")):
        text = (REFERENCE / "charts" / chart / version / "values.yaml").read_text(encoding="utf-8")
        ours = gen.load_values(text, "c")
        node = yaml.compose(text, Loader=pure)
        assert gen.same(ours, gen._construct(node, "python")), (chart, version)


def test_release_order() -> None:
    def order(chart):
        return [v for v, _ in gen.release_order(REFERENCE, chart)]

    stack, acp = order("kube-acp-stack"), order("acp")
    assert "7.0.0" not in stack, "kube-acp-stack 7.0.0 is a broken Chart.yaml"
    for chart, earlier, later in ((stack, "2.8.1", "2.8.1-1"), (acp, "2.7.0", "2.7.0-1"), (acp, "2.2.0", "2.2.0-1"),
                                  (acp, "0.17.2-1", "0.17.2"), (stack, "2.6.1-2", "2.7.0"),
                                  (stack, "2.7.0", "2.7.0-1"), (stack, "2.6.1-1", "2.6.1-2")):
        assert chart.index(earlier) < chart.index(later), f"{earlier} before {later}"
    rc = order("redis-cluster")
    assert rc.index("3.1.9") < rc.index("3.1.10")
    assert rc == sorted(rc, key=gen.version_number), "Bitnami releases in SemVer order"


def test_documented_keys_and_open_maps() -> None:
    def data(chart, version):
        return gen.read_version(REFERENCE, chart, version, gen.template_keys(REFERENCE).get((chart, version), set()))

    acp = data("acp", "2.25.0")
    for key in (("redis",), ("sql",), ("nameOverride",), ("client", "rootCa"), ("configPath",)):
        assert key in acp["doc"], key
    assert ("config", "data") in acp["values"] and ("config", "data") in acp["open"]
    assert ("containerSecurityContext",) in acp["open"]
    assert not any(path[0] == "image" for path in acp["doc"])
    old = data("acp", "0.16.3")
    assert ("redis",) in old["doc"], "read by the templates (template-keys.tsv)"
    rc = data("redis-cluster", "11.5.4")
    assert {("global",), ("metrics", "podAnnotations"), ("podSecurityContext",),
            ("redis", "updateStrategy", "rollingUpdate")} <= rc["open"]
    assert ("redis", "podAnnotations") not in rc["open"], "an empty map needs no mark"
    assert data("redis-cluster", "1.0.0")["doc"] >= {("existingSecret",), ("existingSecretPasswordKey",)}
    stack = data("kube-acp-stack", "2.26.2")
    assert stack["values"][("redis-cluster", "image", "repository")] == "bitnamilegacy/redis-cluster"
    assert stack["values"][("redis-cluster", "global", "security", "allowInsecureImages")] is True
    assert stack["fields"]["dependencies"]["redis-cluster"]["version"] == "11.5.4"


def main() -> int:
    tests = [test_generator_reproduces, test_plain_scalars_are_typed_as_go_yaml_v2_types_them,
             test_typing_matches_pyyaml_on_the_upstream_files, test_both_pyyaml_loaders_agree,
             test_release_order, test_documented_keys_and_open_maps]
    failed = 0
    for test in tests:
        try:
            test()
        except AssertionError as e:
            failed += 1
            print(f"FAIL {test.__name__}: {e}", file=sys.stderr)
        else:
            print(f"ok   {test.__name__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
