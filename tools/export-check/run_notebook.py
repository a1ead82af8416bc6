#!/usr/bin/python3
"""Runs the code cells of a Jupyter notebook in order, in one namespace, as
a kernel would, without Jupyter: each cell's last expression is printed.
A failing cell exits 1 naming the cell. Used by the export package's tests
on examples/notebook.ipynb (with python3-pandas, python3-requests,
python3-networkx and python3-matplotlib).

Usage: run_notebook.py NOTEBOOK
"""

import ast
import json
import sys
import traceback


def main(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    env = {"__name__": "__main__"}
    ran = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        tree = ast.parse(src, filename="cell %d" % i)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        try:
            exec(compile(tree, "cell %d" % i, "exec"), env)
            if last is not None:
                value = eval(compile(last, "cell %d" % i, "eval"), env)
                if value is not None:
                    print(repr(value))
        except ImportError as err:
            sys.exit("cell %d (%s): %s: install the Debian package python3-%s" % (i, cell.get("id"), err, (err.name or "?").split(".")[0]))
        except Exception:
            traceback.print_exc()
            sys.exit("cell %d (%s) failed" % (i, cell.get("id")))
        ran += 1
    print("ran %d code cells" % ran)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: run_notebook.py NOTEBOOK")
    main(sys.argv[1])
