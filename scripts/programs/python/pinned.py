"""pinned.py REQUIREMENTS [MODULE...]: exit 0 when every `name==version` line of REQUIREMENTS is
installed at exactly that version in the running Python and each MODULE can be found (the check of
the venv programs in scripts/programs/). Modules are found, not imported: importing mlflow takes
seconds, and a cache check must be instant."""
import importlib.metadata
import importlib.util
import re
import sys

wrong = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==(\S+)", line)
    if not m:
        sys.exit(f"pinned.py: {sys.argv[1]}: not an exact pin: {line}")
    name = re.sub(r"\[.*\]", "", m.group(1))
    try:
        have = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        have = None
    if have != m.group(2):
        wrong.append(f"{name}: want {m.group(2)}, have {have}")
for module in sys.argv[2:]:
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        wrong.append(f"module {module} not found")
if wrong:
    sys.exit("pinned.py: " + "; ".join(wrong))
