#!/usr/bin/env python3
"""Self-test of the schemas in schemas/: run `python3 tools/schema/test_schemas.py [REFERENCE_DIR]`.

Checks that every schema is a valid Draft 2020-12 schema, that upstream default values and the
kube-acp-stack example validate, that typical mistakes are caught, and that gen_redis_cluster.py reproduces
the committed redis-cluster schema byte for byte. Exits non-zero on the first failure.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SCHEMAS = REPO_ROOT / "schemas"

spec = importlib.util.spec_from_file_location("gen_redis_cluster", HERE / "gen_redis_cluster.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

REFERENCE = Path(sys.argv[1]) if len(sys.argv) > 1 else gen.DEFAULT_REFERENCE_DIR


def load_schema(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, instance) -> list:
    return list(validator.iter_errors(instance))


def assert_valid(validator, instance, what: str) -> None:
    errs = errors(validator, instance)
    assert not errs, f"{what}: expected valid, got " + "; ".join(
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errs[:10])


def assert_invalid(validator, instance, what: str, keyword: str | None = None) -> None:
    errs = errors(validator, instance)
    assert errs, f"{what}: expected an error, got none"
    if keyword:
        assert any(e.validator == keyword for e in errs), \
            f"{what}: expected a `{keyword}` error, got {[e.validator for e in errs]}"


def with_value(doc: dict, dotted: str, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    *parents, last = dotted.split(".")
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value
    return doc


def subschema(schema: dict, dotted: str) -> dict:
    node = schema
    for name in dotted.split("."):
        node = node["properties"][name]
    return node


def test_generator_reproduces() -> None:
    committed = (SCHEMAS / "redis-cluster.schema.json").read_text(encoding="utf-8")
    assert gen.generate(REFERENCE) == committed, \
        "schemas/redis-cluster.schema.json differs from the generator output: run tools/schema/gen_redis_cluster.py"


def test_redis_cluster() -> None:
    v = load_schema("redis-cluster.schema.json")
    schema = v.schema

    defaults = {}
    for version in gen.VERSIONS:
        text = (REFERENCE / f"bitnami-redis-cluster-{version}-values.yaml").read_text(encoding="utf-8")
        defaults[version] = yaml.safe_load(text)
        assert_valid(v, defaults[version], f"chart {version} default values")

    stack = yaml.safe_load((REFERENCE / "kube-acp-stack-2.24.1-values.yaml").read_text(encoding="utf-8"))
    assert_valid(v, stack["redis-cluster"], "kube-acp-stack 2.24.1 redis-cluster values")

    base = {"cluster": {"nodes": 6, "replicas": 1}, "usePassword": True}
    assert_valid(v, base, "minimal values")
    assert_valid(v, {"enabled": True, "global": {"redis": {"password": "x"}, "storageClass": "gp3",
                                                  "postgresql": {"auth": {"password": "y"}}}},
                 "umbrella `enabled` and shared `global`")

    # Misspelled keys.
    for dotted in ("cluster.replica", "usePasword", "redis.configMap", "tls.authClient", "image.tags",
                   "persistence.enable", "metrics.serviceMonitor.enable"):
        assert_invalid(v, with_value(base, dotted, 1), f"misspelled key {dotted}", "additionalProperties")

    # Wrong types, enums and ranges.
    assert_invalid(v, with_value(base, "cluster.nodes", "six"), "cluster.nodes: six", "type")
    assert_invalid(v, with_value(base, "cluster.nodes", 0), "cluster.nodes: 0", "minimum")
    assert_invalid(v, with_value(base, "cluster.replicas", -1), "cluster.replicas: -1", "minimum")
    assert_valid(v, with_value(base, "cluster.replicas", 0), "cluster.replicas: 0")
    assert_invalid(v, with_value(base, "redis.useAOFPersistence", True), "useAOFPersistence: true")
    assert_invalid(v, with_value(base, "redis.useAOFPersistence", "true"), "useAOFPersistence: 'true'", "enum")
    assert_valid(v, with_value(base, "redis.useAOFPersistence", "no"), "useAOFPersistence: 'no'")
    assert_invalid(v, with_value(base, "image.tag", 6.2), "image.tag: 6.2", "type")
    assert_invalid(v, with_value(base, "image.pullPolicy", "always"), "image.pullPolicy: always", "enum")
    assert_invalid(v, with_value(base, "service.type", "Headless"), "service.type: Headless", "enum")
    assert_invalid(v, with_value(base, "redis.podAntiAffinityPreset", "medium"), "preset: medium", "enum")
    assert_invalid(v, with_value(base, "usePassword", "true"), "usePassword: 'true'", "type")
    assert_invalid(v, with_value(base, "service.ports.redis", 70000), "port 70000", "maximum")
    for value in (6379, "6379"):
        assert_valid(v, with_value(base, "service.ports.redis", value), f"service port {value!r}")
    for value in ("", 30379, "30379"):
        assert_valid(v, with_value(base, "service.nodePorts.redis", value), f"nodePort {value!r}")
    for value in (1, "50%", ""):
        assert_valid(v, with_value(base, "pdb.minAvailable", value), f"pdb.minAvailable {value!r}")
        assert_valid(v, with_value(base, "maxUnavailable", value), f"maxUnavailable {value!r}")
    assert_invalid(v, with_value(base, "pdb.minAvailable", "half"), "pdb.minAvailable: half", "pattern")

    # Kubernetes pass-through objects accept anything.
    anything = {"example.com/some-key": "v", "nested": {"deep": [1, 2, {"x": None}]}}
    for dotted in ("commonAnnotations", "commonLabels", "redis.podAnnotations", "redis.podLabels",
                   "redis.nodeSelector", "redis.affinity", "service.annotations", "metrics.podAnnotations",
                   "metrics.extraArgs", "podDisruptionBudget", "redis.customLivenessProbe",
                   "service.sessionAffinityConfig", "persistence.matchLabels"):
        assert_valid(v, with_value(base, dotted, anything), f"free-form {dotted}")
    assert_valid(v, with_value(base, "redis.affinity", {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname"}]}}),
        "affinity object")
    resources = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": 0.5, "memory": "512Mi"},
                 "claims": [{"name": "gpu"}]}
    for dotted in ("redis.resources", "metrics.resources", "updateJob.resources", "sysctlImage.resources",
                   "volumePermissions.resources"):
        assert_valid(v, with_value(base, dotted, resources), f"resources {dotted}")
    assert_valid(v, with_value(base, "containerSecurityContext", {
        "enabled": True, "runAsUser": 1001, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]},
        "windowsOptions": {"runAsUserName": "x"}}), "containerSecurityContext pass-through")
    assert_valid(v, with_value(base, "podSecurityContext.runAsGroup", 1001), "podSecurityContext pass-through")
    assert_valid(v, with_value(base, "persistence.matchExpressions",
                               [{"key": "k", "operator": "In", "values": ["a"]}]), "matchExpressions list")

    # Version annotations.
    def absent(dotted):
        return subschema(schema, dotted).get("x-acp-check-absent-in", [])
    assert absent("persistence.enabled") == ["7.6.4"]
    assert absent("redis.defaultConfigOverride") == ["7.6.4"]
    assert absent("pdb") == ["7.6.4"] and absent("pdb.minAvailable") == ["7.6.4"]
    assert absent("usePasswordFiles") == ["7.6.4"] and absent("usePasswordFile") == ["11.5.4"]
    assert absent("minAvailable") == ["11.5.4"]
    assert absent("redis.configmap") == [] and absent("cluster.nodes") == []
    assert absent("redis.resources.limits") == [], "pass-through fields carry no version marker"
    assert "extraFlags" not in subschema(schema, "redis")["properties"], "redis.extraFlags is in neither version"
    assert schema["additionalProperties"] is False
    assert subschema(schema, "global")["additionalProperties"] is True


def test_acp_redis_client() -> None:
    v = load_schema("acp-redis-client.schema.json")
    good = {"addrs": ["redis-cluster-headless:6379", "redis-cluster-headless:6379"], "redis_search": True,
            "password": "x", "tls": {"enabled": True}}
    assert_valid(v, good, "vendor client config")
    assert_valid(v, {**good, "enabled": True, "username": "acp", "max_retries": -1, "min_retry_backoff": "32ms",
                     "max_retry_backoff": "1.5s", "max_backoff_retries": 10, "pool_size": 100,
                     "min_idle_conns": 10, "number_of_workers": 4, "number_of_consumers": 4,
                     "redis_search_index_name": "default-index",
                     "tls": {"enabled": True, "ca": "-----BEGIN", "cert": "c", "key": "k",
                             "insecure_skip_verify": False},
                     "streams": {"sleep": "1h2m", "disable_trim": True, "number_of_workers": 2, "max_length": 1000},
                     "consumer_groups": {"audit": {"batch_size": 100, "timeout": "0", "max_retries": 3,
                                                   "number_of_workers": 2}}},
                 "every known key")
    for addr in ("redis-local-redis-cluster-headless.redis:6379", "10.0.0.1:6379", "[::1]:6379",
                 "[fe80::1%eth0]:7000", "redis.example.com:65535"):
        assert_valid(v, {"addrs": [addr]}, f"address {addr}")
    for addr in ("redis-cluster-headless", "redis-cluster-headless:", ":6379", "host:port", "host:0",
                 "host:65536", "::1:6379", "redis://host:6379", "host :6379"):
        assert_invalid(v, {"addrs": [addr]}, f"address {addr}", "pattern")

    for value in ("32ms", "0", "1.5s", "1h2m", "-1s", ".5s", "300us", "2µs", "+3m"):
        assert_valid(v, {"min_retry_backoff": value}, f"duration {value!r}")
    for value in (32, "32", "", "1d", "1 s", "ms", ".s", "1.5"):
        assert_invalid(v, {"min_retry_backoff": value}, f"duration {value!r}")
    assert_invalid(v, {"consumer_groups": {"g": {"timeout": 5}}}, "consumer group timeout 5", "type")
    assert_invalid(v, {"streams": {"sleep": 100}}, "streams.sleep 100", "type")

    assert_invalid(v, {**good, "redis_serach": True}, "unknown key", "additionalProperties")
    assert_invalid(v, {"tls": {"enable": True}}, "unknown tls key", "additionalProperties")
    assert_invalid(v, {"consumer_groups": {"g": {"batchsize": 1}}}, "unknown group key", "additionalProperties")
    assert_invalid(v, {"addrs": "redis:6379"}, "addrs not a list", "type")
    assert_invalid(v, {"redis_search": "yes"}, "redis_search: 'yes'", "type")
    assert_invalid(v, {"pool_size": -1}, "pool_size: -1", "minimum")

    # Every duration-typed property carries the marker the duration rule looks for.
    marked = []

    def walk(node, path):
        if not isinstance(node, dict):
            return
        if node.get("$ref") == "#/$defs/duration":
            assert node.get("x-acp-check-duration") is True, path
            marked.append(path)
        for key, child in node.get("properties", {}).items():
            walk(child, f"{path}/{key}")
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{path}/*")
    walk(v.schema, "")
    # Also on the definition: a validator that follows `$ref` to report an error lands there.
    assert v.schema["$defs"]["duration"].get("x-acp-check-duration") is True
    assert sorted(marked) == ["/consumer_groups/*/timeout", "/max_retry_backoff", "/min_retry_backoff",
                              "/streams/sleep"], marked


def test_acp_storage() -> None:
    v = load_schema("acp-storage.schema.json")
    assert_valid(v, {"refresh_tokens": {"enabled": False, "batch_limit": 512}}, "refresh tokens in Redis")
    assert_valid(v, {"refresh_tokens": {"enabled": True}, "some_private_key": {"x": 1}}, "unknown storage key")
    assert_invalid(v, {"refresh_tokens": {"enabled": "no"}}, "enabled: 'no'", "type")
    assert_invalid(v, {"refresh_tokens": {"batch_limit": 0}}, "batch_limit: 0", "minimum")
    assert_invalid(v, {"refresh_tokens": {"enable": False}}, "refresh_tokens typo", "additionalProperties")


def main() -> int:
    tests = [test_generator_reproduces, test_redis_cluster, test_acp_redis_client, test_acp_storage]
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
