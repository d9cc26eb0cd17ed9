#!/usr/bin/env python3
"""Writes one JSON Schema (2020-12) for a whole kube-acp-stack values file, for the peers of the
benchmark (check-jsonschema, ajv-cli), which validate whole files:

    python3 tools/bench/umbrella_schema.py OUT.json

It applies acp-check's three schemas where acp-check applies them: `redis-cluster` to the
redis-cluster chart values, `acp-redis-client` to `acp.redis`, `acp.config.data.redis` and
`acp.secretConfig.data.redis`, `acp-storage` to the two `storage` places. The schemas are embedded
under `$defs` with their `$id`s, so no validator fetches anything.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load(name: str) -> dict:
    schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    # An embedded resource takes its dialect from the document.
    schema.pop("$schema", None)
    return schema


def main() -> None:
    defs = {name: load(name) for name in ["redis-cluster", "acp-redis-client", "acp-storage"]}
    ref = {name: {"$ref": schema["$id"]} for name, schema in defs.items()}
    data = {
        "type": "object",
        "properties": {"redis": ref["acp-redis-client"], "storage": ref["acp-storage"]},
    }
    layer = {"type": "object", "properties": {"data": data}}
    wrapper = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://acp-check.invalid/schemas/bench-umbrella-values.schema.json",
        "title": "kube-acp-stack values, as acp-check's schemas check them (benchmark peers only)",
        "type": "object",
        "properties": {
            "acp": {
                "type": "object",
                "properties": {
                    "redis": ref["acp-redis-client"],
                    "config": layer,
                    "secretConfig": layer,
                },
            },
            "redis-cluster": ref["redis-cluster"],
        },
        "$defs": defs,
    }
    pathlib.Path(sys.argv[1]).write_text(json.dumps(wrapper, indent=1))


if __name__ == "__main__":
    main()
