import os
import sys

# `python -m` puts the current folder first on the import path: in a site's folder, a folder there
# named like a library sitegen loads later (tzdata, for a time zone) must not be imported as code.
if sys.path and os.path.realpath(sys.path[0] or os.curdir) == os.path.realpath(os.curdir):
    del sys.path[0]

from sitegen.cli import run  # noqa: E402

run()
