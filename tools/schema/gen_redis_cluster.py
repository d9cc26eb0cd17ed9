#!/usr/bin/env python3
"""Generate schemas/redis-cluster.schema.json from the Bitnami redis-cluster default values.

Usage (from the repository root):

    python3 tools/schema/gen_redis_cluster.py [REFERENCE_DIR] [--check | --stdout]

REFERENCE_DIR holds the upstream files `bitnami-redis-cluster-<version>-values.yaml` for every version
in VERSIONS (default: ../shared/reference, relative to the repository root). The upstream files are read,
never copied into the repository. The output is deterministic (sorted keys, 2-space indent, trailing
newline), so running this script again must reproduce the committed schema byte for byte; `--check`
exits 1 when it does not.

How the schema is made:
- The key tree is the union, over both chart versions, of the keys present in the parsed default values
  (maps are walked, except maps that Bitnami documents as a single value) and of every `## @param` /
  `## @skip` annotation path in the comments.
- A key missing from one version gets `"x-acp-check-absent-in": [<version>]` (its descendants too), except
  below Kubernetes pass-through objects (security contexts, resources, rollingUpdate), whose fields the
  chart forwards as they are.
- Types come from the default values, corrected by TYPE_OVERRIDES where the default (`""`, `{}`) does not
  show the real type; enums and ranges come from ENUMS / MINIMUMS.
- Objects with a known key set are closed (`additionalProperties: false`); maps documented as one value
  (annotations, labels, selectors, affinity, ...) and Kubernetes pass-through objects are open.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from pathlib import Path

import yaml

VERSIONS = ("7.6.4", "11.5.4")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REFERENCE_DIR = REPO_ROOT / ".." / "shared" / "reference"
OUTPUT = REPO_ROOT / "schemas" / "redis-cluster.schema.json"
SCHEMA_ID = "https://acp-check.invalid/schemas/redis-cluster.schema.json"

ANNOTATION = re.compile(r"^\s*##\s*@(param|skip)\s+(\S+)\s*(\[[^\]]*\])?\s*(.*?)\s*$")

# --- value constraints -------------------------------------------------------------------------------

PORT = {"type": ["integer", "string"], "minimum": 1, "maximum": 65535}
INT_OR_PERCENT = {"type": ["integer", "string"], "minimum": 0, "pattern": "^([0-9]+%?)?$"}

# Types that the default value does not show (dotted path patterns, fnmatch syntax: `*` spans dots).
TYPE_OVERRIDES = [
    ("minAvailable", INT_OR_PERCENT),
    ("maxUnavailable", INT_OR_PERCENT),
    ("pdb.minAvailable", INT_OR_PERCENT),
    ("pdb.maxUnavailable", INT_OR_PERCENT),
    ("service.ports.redis", PORT),
    ("service.nodePorts.redis", PORT),
    ("redis.containerPorts.redis", PORT),
    ("redis.containerPorts.bus", PORT),
    ("metrics.containerPorts.http", PORT),
    ("metrics.service.ports.http", PORT),
    ("cluster.externalAccess.service.port", PORT),
    # Image tags are strings: a YAML number there is a mistake (reported by the numeric-version rule).
    ("*image.tag", {"type": "string"}),
    ("sysctlImage.tag", {"type": "string"}),
    # Kubernetes quantity: "8Gi", or a plain number of bytes.
    ("persistence.size", {"type": ["string", "integer"]}),
    # Bitnami's default is {}, but Kubernetes expects a list of label selector requirements.
    ("persistence.matchExpressions", {"type": ["array", "object"]}),
    # Documented `[object,nullable]`.
    ("*seLinuxOptions", {"type": ["object", "null"], "additionalProperties": True}),
]

SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
PRESETS = ["", "soft", "hard"]
RESOURCES_PRESETS = ["none", "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"]

ENUMS = [
    ("*pullPolicy", ["Always", "IfNotPresent", "Never"]),
    ("service.type", SERVICE_TYPES),
    ("metrics.service.type", SERVICE_TYPES),
    ("cluster.externalAccess.service.type", SERVICE_TYPES),
    ("service.externalTrafficPolicy", ["Cluster", "Local"]),
    ("service.sessionAffinity", ["None", "ClientIP"]),
    ("redis.useAOFPersistence", ["yes", "no"]),
    ("redis.podManagementPolicy", ["OrderedReady", "Parallel"]),
    ("redis.updateStrategy.type", ["RollingUpdate", "OnDelete"]),
    ("*podAffinityPreset", PRESETS),
    ("*podAntiAffinityPreset", PRESETS),
    ("*nodeAffinityPreset.type", PRESETS),
    ("*resourcesPreset", RESOURCES_PRESETS),
    ("global.compatibility.openshift.adaptSecurityContext", ["auto", "force", "disabled"]),
    ("podSecurityContext.fsGroupChangePolicy", ["Always", "OnRootMismatch"]),
    ("*seccompProfile.type", ["RuntimeDefault", "Localhost", "Unconfined"]),
    ("persistentVolumeClaimRetentionPolicy.when*", ["Retain", "Delete"]),
]

# Array items with a fixed set of values.
ITEM_ENUMS = [
    ("persistence.accessModes", ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]),
]

# Integers default to `minimum: 0` (no key of this chart takes a negative number); these must be >= 1.
MINIMUMS = [
    ("cluster.nodes", 1),
    ("cluster.update.currentNumberOfNodes", 1),
    ("updateJob.activeDeadlineSeconds", 1),
    ("*Probe.periodSeconds", 1),
    ("*Probe.timeoutSeconds", 1),
    ("*Probe.successThreshold", 1),
    ("*Probe.failureThreshold", 1),
]

# --- object openness ---------------------------------------------------------------------------------

# Descriptions of objects that have no @param of their own and no useful comment above them
# (others take the first line of the comment block above the key).
OBJECT_DESCRIPTIONS = [
    ("cluster.externalAccess.service", "Services that expose every Redis node outside the Kubernetes cluster"),
    ("global.redis", "Global Redis settings"),
    ("metrics.image", "Redis exporter image"),
    ("metrics.containerPorts", "Metrics exporter container ports"),
    ("metrics.service", "Metrics service"),
    ("metrics.service.ports", "Metrics service ports"),
    ("metrics.serviceMonitor", "Prometheus Operator ServiceMonitor"),
    ("persistentVolumeClaimRetentionPolicy", "StatefulSet PersistentVolumeClaim retention policy"),
    ("rbac", "RBAC resources"),
    ("rbac.role", "Role created when `rbac.create` is true"),
    ("redis.containerPorts", "Redis container ports"),
    ("redis.startupProbe", "Redis startup probe"),
    ("redis.updateStrategy", "Redis StatefulSet update strategy"),
    ("redis.updateStrategy.rollingUpdate", "StatefulSet rolling update parameters (passed to Kubernetes)"),
    ("service.ports", "Redis service ports"),
    ("serviceAccount", "ServiceAccount"),
    ("serviceBindings", "Service binding secret (experimental)"),
    ("volumePermissions", "Init container that changes the owner of the persistent volume mount point"),
    ("volumePermissions.image", "Init container volume-permissions image"),
    ("*.capabilities", "Linux capabilities of the container"),
    ("*.seccompProfile", "Seccomp profile of the container"),
]

EXTRA_DESCRIPTIONS = {
    "global": "Global values, shared with the parent chart and its other subcharts in an umbrella chart "
    "(so any key is allowed here).",
    "enabled": "Not a value of the chart itself: the dependency condition `redis-cluster.enabled` of an "
    "umbrella chart such as kube-acp-stack.",
    # Upstream @param texts that are wrong (copied from other charts) or misleading.
    "redis.updateStrategy.type": "StatefulSet update strategy type",
    "serviceAccount.annotations": "Annotations for the ServiceAccount",
    "cluster.nodes": "Total number of Redis nodes, masters and replicas: there are nodes / (replicas + 1) "
    "masters, and there must be at least 3 or cluster creation fails",
}


def is_global(path: tuple[str, ...]) -> bool:
    return path[:1] == ("global",)


def passthrough_root(path: tuple[str, ...]) -> bool:
    """Kubernetes objects that the chart passes through (or will in a later version): fields beyond the
    documented ones are legitimate."""
    last = path[-1]
    return (
        last.endswith("SecurityContext")
        or last == "resources"
        or path == ("redis", "updateStrategy", "rollingUpdate")
    )


def below_passthrough(path: tuple[str, ...]) -> bool:
    return any(passthrough_root(path[: i + 1]) for i in range(len(path) - 1))


# --- reading the upstream files ----------------------------------------------------------------------


class Node:
    def __init__(self, path: tuple[str, ...]):
        self.path = path
        self.present: set[str] = set()
        self.defaults: dict[str, object] = {}
        self.param: dict[str, str] = {}  # version -> @param text
        self.modifiers: dict[str, str] = {}  # version -> "[object]" etc.
        self.comment: dict[str, str] = {}  # version -> comment above the key (objects without @param)
        self.children: dict[str, Node] = {}

    def child(self, name: str) -> "Node":
        if name not in self.children:
            self.children[name] = Node(self.path + (name,))
        return self.children[name]

    def walk(self):
        yield self
        for name in sorted(self.children):
            yield from self.children[name].walk()


def clean_text(text: str) -> str:
    text = text.replace("&reg;", "")
    return re.sub(r"\s+", " ", text).strip()


def comment_above(lines: list[str], line: int) -> str:
    """First meaningful line of the `##` comment block right above line `line` (0-based)."""
    block = []
    i = line - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        block.append(lines[i].strip().lstrip("#").strip())
        i -= 1
    block.reverse()
    section = ""
    for text in block:
        if not text:
            continue
        if text.startswith("@section"):
            section = section or text[len("@section"):].strip()
            continue
        if text.startswith("@") or re.match(r"(?i)(ref\b|https?:|e\.g|example)", text):
            continue
        return clean_text(text)
    return clean_text(section)


def read_version(root: Node, path: Path, version: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    annotations: dict[str, tuple[str, str]] = {}
    for line in lines:
        m = ANNOTATION.match(line)
        if m:
            annotations[m.group(2)] = (m.group(3) or "", clean_text(m.group(4)))

    data = yaml.safe_load(text)
    tree = yaml.compose(text, Loader=yaml.SafeLoader)

    def walk(node: Node, mapping: yaml.MappingNode, values: dict) -> None:
        for key_node, value_node in mapping.value:
            key = key_node.value
            child = node.child(key)
            child.present.add(version)
            value = values[key]
            child.defaults[version] = value
            dotted = ".".join(child.path)
            if dotted not in annotations:
                note = comment_above(lines, key_node.start_mark.line)
                if note:
                    child.comment[version] = note
            # A map documented as one value (@param on the map itself) is a value, not a key tree.
            if isinstance(value_node, yaml.MappingNode) and dotted not in annotations:
                walk(child, value_node, value)

    walk(root, tree, data)

    for dotted, (modifiers, description) in annotations.items():
        node = root
        for name in dotted.split("."):
            node = node.child(name)
            node.present.add(version)
        node.param[version] = description
        if modifiers:
            node.modifiers[version] = modifiers


# --- building the schema -----------------------------------------------------------------------------


def json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    raise TypeError(f"unexpected YAML value {value!r}")


TYPE_ORDER = ["object", "array", "string", "integer", "number", "boolean", "null"]


def first_match(table, dotted: str, used: set[str]):
    for pattern, value in table:
        if fnmatch.fnmatchcase(dotted, pattern):
            used.add(pattern)
            return value
    return None


def description_of(node: Node) -> str:
    dotted = ".".join(node.path)
    if dotted in EXTRA_DESCRIPTIONS:
        return EXTRA_DESCRIPTIONS[dotted]
    texts = [node.param[v] for v in VERSIONS if v in node.param]
    if texts:
        newest = texts[-1]
        oldest = texts[0]
        # Prefer the newest text, unless it only says "deprecated" where the older one explains the key.
        if newest.upper().startswith("DEPRECATED") and not oldest.upper().startswith("DEPRECATED"):
            newest_version = [v for v in VERSIONS if v in node.param][-1]
            return f"{oldest} (chart {newest_version}: {newest})"
        return newest
    for pattern, text in OBJECT_DESCRIPTIONS:
        if fnmatch.fnmatchcase(dotted, pattern):
            return text
    comments = [node.comment[v] for v in VERSIONS if v in node.comment]
    if comments:
        return comments[-1]
    return f"Settings under `{dotted}`."


def build(node: Node, used: set[str]) -> dict:
    dotted = ".".join(node.path)
    schema: dict = {"description": description_of(node)}

    absent = [v for v in VERSIONS if v not in node.present]
    if absent and not below_passthrough(node.path):
        schema["x-acp-check-absent-in"] = absent

    texts = [node.param[v] for v in VERSIONS if v in node.param]
    if texts and all(t.upper().startswith("DEPRECATED") for t in texts):
        schema["deprecated"] = True

    override = first_match(TYPE_OVERRIDES, dotted, used)

    if node.children:
        schema["type"] = "object"
        schema["properties"] = {name: build(child, used) for name, child in node.children.items()}
        documented_as_value = bool(node.param)  # e.g. `redis.resources` is one @param in 11.5.4
        open_object = is_global(node.path) or passthrough_root(node.path) or below_passthrough(node.path)
        schema["additionalProperties"] = bool(open_object or documented_as_value)
        return schema

    if override is not None:
        schema.update(json.loads(json.dumps(override)))
    else:
        types = sorted({json_type(node.defaults[v]) for v in VERSIONS if v in node.defaults},
                       key=TYPE_ORDER.index)
        if not types:
            raise SystemExit(f"{dotted}: documented but has no default value and no TYPE_OVERRIDES entry")
        modifiers = " ".join(node.modifiers.values())
        if "nullable" in modifiers and "null" not in types:
            types.append("null")
        schema["type"] = types[0] if len(types) == 1 else types

    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if "object" in types:
        # A map documented as one value: annotations, labels, selectors, affinity, extraArgs, ...
        schema["additionalProperties"] = True
    if types == ["integer"]:
        minimum = first_match(MINIMUMS, dotted, used)
        schema["minimum"] = 0 if minimum is None else minimum
    enum = first_match(ENUMS, dotted, used)
    if enum is not None:
        schema["enum"] = enum
    item_enum = first_match(ITEM_ENUMS, dotted, used)
    if item_enum is not None:
        schema["items"] = {"type": "string", "enum": item_enum}
    return schema


def generate(reference_dir: Path) -> str:
    root = Node(())
    for version in VERSIONS:
        read_version(root, Path(reference_dir) / f"bitnami-redis-cluster-{version}-values.yaml", version)

    used: set[str] = set()
    properties = {name: build(child, used) for name, child in root.children.items()}
    properties["enabled"] = {"type": "boolean", "description": EXTRA_DESCRIPTIONS["enabled"]}

    unused = [p for table in (TYPE_OVERRIDES, ENUMS, ITEM_ENUMS, MINIMUMS) for p, _ in table if p not in used]
    if unused:
        raise SystemExit(f"patterns matching no key (typo or upstream change): {unused}")

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Bitnami redis-cluster chart values",
        "description": (
            "Values of the Bitnami redis-cluster Helm chart: every key of chart "
            + " and ".join(VERSIONS)
            + ", from the default values.yaml and its @param annotations. Generated by "
            "tools/schema/gen_redis_cluster.py; do not edit by hand. `x-acp-check-absent-in` lists the chart "
            "versions that lack a key (descendants of such a key are marked too: report the shallowest)."
        ),
        "type": "object",
        "additionalProperties": False,
        "x-acp-check-chart-versions": list(VERSIONS),
        "properties": properties,
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference_dir", nargs="?", type=Path, default=DEFAULT_REFERENCE_DIR,
                        help="directory holding bitnami-redis-cluster-<version>-values.yaml")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the committed schema differs")
    mode.add_argument("--stdout", action="store_true", help="print the schema instead of writing it")
    args = parser.parse_args(argv)

    text = generate(args.reference_dir)
    if args.stdout:
        sys.stdout.write(text)
    elif args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(REPO_ROOT)} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
    else:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
