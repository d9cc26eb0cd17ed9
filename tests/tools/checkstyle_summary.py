"""Reads a Checkstyle XML report with Python's XML parser (an independent reader: it refuses any
document that is not well-formed XML) and checks it against what Checkstyle's XMLLogger writes and
its readers (Jenkins warnings-ng, reviewdog -f=checkstyle, SonarQube) take: a <checkstyle> root
with a version, holding only <file name="..."> elements, each holding only <error> elements whose
line (and column, when given) is a positive integer, whose severity is one of Checkstyle's levels
(ignore, info, warning, error), with a message and a source. Prints what it read as JSON, or what is
wrong and exits with 1."""

import json
import sys
import xml.etree.ElementTree as ET

SEVERITIES = {"ignore", "info", "warning", "error"}


def fail(why):
    print(why)
    sys.exit(1)


def positive(element, name, required):
    value = element.get(name)
    if value is None:
        if required:
            fail(f"<error> without {name}: {element.attrib}")
        return None
    if not value.isdigit() or int(value) < 1:
        fail(f"<error {name}={value!r}> is not a positive integer")
    return int(value)


try:
    root = ET.parse(sys.argv[1]).getroot()
except ET.ParseError as e:
    fail(f"not well-formed XML: {e}")
if root.tag != "checkstyle" or not root.get("version"):
    fail(f"the root is <{root.tag} {root.attrib}>, not <checkstyle version=...>")
files = []
for file in root:
    if file.tag != "file" or not file.get("name"):
        fail(f"<{file.tag} {file.attrib}> in <checkstyle>: only <file name=...> belongs there")
    errors = []
    for error in file:
        if error.tag != "error":
            fail(f"<{error.tag}> in <file>: only <error> belongs there")
        severity = error.get("severity")
        if severity not in SEVERITIES:
            fail(f"<error severity={severity!r}>: not one of {sorted(SEVERITIES)}")
        for name in ("message", "source"):
            if not error.get(name):
                fail(f"<error> without {name}: {error.attrib}")
        errors.append(
            {
                "line": positive(error, "line", True),
                "column": positive(error, "column", False),
                "severity": severity,
                "message": error.get("message"),
                "source": error.get("source"),
            }
        )
    files.append({"name": file.get("name"), "errors": errors})
names = [f["name"] for f in files]
if len(set(names)) != len(names):
    fail(f"a file is listed twice: {names}")
print(json.dumps({"version": root.get("version"), "files": files}))
