"""Runs the analyst notebooks top to bottom, or checks that committed notebooks carry no outputs.

    /usr/bin/python3 notebooks/execute.py --warehouse W [--out DIR]   execute every notebook
    /usr/bin/python3 notebooks/execute.py --check-stripped             fail if a notebook has outputs
    /usr/bin/python3 notebooks/execute.py --strip                      remove outputs in place

Executing fails (exit 1) when a cell raises or a notebook shows no figure. The kernel runs under
the interpreter that runs this script (Debian's /usr/bin/python3, where python3-jpype, pandas and
matplotlib live), whatever kernel named "python3" another Python may have installed.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
KERNEL = "churnlake-python3"


def notebooks():
    return sorted(HERE.glob("[0-9][0-9]-*.ipynb"))


def has_outputs(nb):
    return any(c.cell_type == "code" and (c.outputs or c.execution_count) for c in nb.cells)


def strip(nb):
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
    return nb


def kernel_on_this_interpreter():
    """A kernelspec whose argv is this interpreter, found first through JUPYTER_PATH."""
    root = Path(tempfile.mkdtemp(prefix="churnlake-jupyter-"))
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (" + sys.executable + ")",
        "language": "python",
    }))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(root)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])


def execute(warehouse, out, timeout, only):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    kernel_on_this_interpreter()
    os.environ["CHURNLAKE_WAREHOUSE"] = str(Path(warehouse).resolve()) if "://" not in warehouse \
        else warehouse
    os.environ.setdefault("CHURNLAKE_EXPORT_DIR", tempfile.mkdtemp(prefix="churnlake-export-"))
    failed = []
    for path in notebooks():
        if only and not any(o in path.name for o in only):
            continue
        nb = nbformat.read(path, as_version=4)
        start = time.time()
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout,
                                resources={"metadata": {"path": str(HERE)}})
        try:
            client.execute()
            figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                          if "image/png" in o.get("data", {}))
            problem = None if figures else "shows no figure"
        except CellExecutionError as e:
            figures = 0
            problem = "a cell raised: " + str(e).strip().splitlines()[-1]
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(out) / path.name)
        took = time.time() - start
        if problem:
            failed.append(path.name)
            print(f"FAILED {path.name} ({took:.0f} s): {problem}", flush=True)
        else:
            print(f"ok     {path.name}: {len(nb.cells)} cells, {figures} figures, {took:.0f} s",
                  flush=True)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--warehouse", help="warehouse the notebooks read (directory or URI)")
    mode.add_argument("--check-stripped", action="store_true")
    mode.add_argument("--strip", action="store_true")
    parser.add_argument("--out", help="directory for the executed copies (with outputs)")
    parser.add_argument("--only", nargs="*", help="execute only notebooks whose names contain these")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    if args.check_stripped:
        dirty = [p.name for p in notebooks() if has_outputs(nbformat.read(p, as_version=4))]
        for name in dirty:
            print(f"{name} carries outputs; run: /usr/bin/python3 notebooks/execute.py --strip",
                  file=sys.stderr)
        return 1 if dirty else 0
    if args.strip:
        for p in notebooks():
            nbformat.write(strip(nbformat.read(p, as_version=4)), p)
        return 0
    return execute(args.warehouse, args.out, args.timeout, args.only)


if __name__ == "__main__":
    sys.exit(main())
