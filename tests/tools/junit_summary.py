"""Reads a JUnit XML report with junitparser (an independent reader) and prints what it understood
as JSON: totals, and per suite its test cases with their failures and system-out."""

import json
import sys

from junitparser import Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
out = {"tests": xml.tests, "failures": xml.failures, "errors": xml.errors, "suites": []}
for suite in xml:
    cases = []
    for case in suite:
        failures = [
            {"type": r.type, "message": r.message, "text": r.text}
            for r in case.result
            if isinstance(r, Failure)
        ]
        skipped = [r.message for r in case.result if isinstance(r, Skipped)]
        cases.append(
            {
                "name": case.name,
                "skipped": skipped,
                "classname": case.classname,
                "failures": failures,
                "system_out": case.system_out,
            }
        )
    out["suites"].append(
        {
            "name": suite.name,
            "tests": suite.tests,
            "failures": suite.failures,
            "skipped": suite.skipped,
            "cases": cases,
        }
    )
json.dump(out, sys.stdout)
