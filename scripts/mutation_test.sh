#!/usr/bin/env bash
# Mutation testing with mutmut 3 (docs/mutation.md): run in a scratch clone with a virtualenv that does
# NOT install oobe-ready itself, so the tests import the mutated copy mutmut writes to mutants/.
# Usage: scripts/mutation_test.sh "toolkit/engine.py" "tests/test_engine.py tests/test_check_rules.py"
set -euo pipefail
SOURCES=${1:?source paths}; TESTS=${2:?test files}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
git clone -q "$ROOT" "$WORK/repo"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "click>=8.1,<9" "rich>=13.5,<15" "lxml>=5,<7" "jsonschema>=4.20,<5" \
    "packaging>=23,<27" "pefile>=2023.2.7,<2026" "regipy>=4,<7" "httpx>=0.27,<1" "platformdirs>=4,<5" \
    "pycdlib>=1.14,<2" "libvhdi-python>=20240303" "libfsntfs-python>=20240119" "msal>=1.29,<2" \
    "pytest>=8,<10" "hypothesis>=6.100,<7" "mutmut>=3,<4"
cd "$WORK/repo"
python3 "$ROOT/scripts/undecorate.py" $SOURCES  # mutmut 3 skips decorated functions, i.e. every rule check
quote() { printf '"%s", ' $1 | sed 's/, $//'; }
sed -i 's/^testpaths = \["tests"\]$/testpaths = ["tests"]\npythonpath = ["."]/' pyproject.toml
cat >> pyproject.toml <<TOML

[tool.mutmut]
source_paths = [$(quote "$SOURCES")]
pytest_add_cli_args_test_selection = [$(quote "$TESTS")]
also_copy = ["toolkit", "golden_images", "manifests", "tests", "scripts"]
TOML
"$WORK/venv/bin/mutmut" run || true
"$WORK/venv/bin/mutmut" results | grep -c survived || true
echo "scratch clone: $WORK/repo (mutmut results / mutmut show NAME there)"
