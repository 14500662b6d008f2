"""Named points where a test can freeze the job, to kill it there and prove nothing breaks.

`CW_FAILPOINT=<name>` makes the job stop at that point: it writes the point's name to the file
`CW_FAILPOINT_MARKER` names (so the test knows it got there) and sleeps until it is killed. Unset,
as in every normal run, a failpoint does nothing. The points:

- `quality_gate`: inside a Great Expectations check, after dbt has built the marts;
- `publish_swap`: the new published file is complete but not yet renamed onto the old one.
"""

import os
import time
from pathlib import Path

FAILPOINTS = ("quality_gate", "publish_swap")


def failpoint(name: str) -> None:
    if name not in FAILPOINTS:
        raise ValueError(f"unknown failpoint {name!r}; known: {', '.join(FAILPOINTS)}")
    if os.environ.get("CW_FAILPOINT") != name:
        return
    marker = os.environ.get("CW_FAILPOINT_MARKER")
    if marker:
        Path(marker).write_text(name)
    while True:  # until killed
        time.sleep(1)
