"""Summarise a py-spy `--format raw --threads` recording as text: where each thread spent time.

    .venv/bin/python -m bench.profile_summary FILE [--top 25]

The raw format is one collapsed stack per line (`thread (...);frame;frame ... COUNT`, root
first). For the event loop's thread it prints how much of the time it waited in select()
(idle), then the functions with the most samples on the stack (inclusive) and at the top of
it (self). For the other threads, grouped by name, it prints where their stacks end.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

_LINE = re.compile(r":\d+\)$")
_THREAD = re.compile(r"^thread \(\d+\): (?P<name>.*)$")
# On (nearly) every stack of the loop's thread, so they say nothing.
_OUTER = re.compile(
    r"<frozen runpy>|\(bench/apps\.py\)|\(asyncio/runners\.py\)|"
    r"BaseEventLoop\.(run_until_complete|run_forever|_run_once) "
)
_IDLE_LEAVES = ("EpollSelector.select", "KqueueSelector.select", "select (selectors.py")


def _function(frame: str) -> str:
    """`name (file.py:123)` → `name (file.py)`: one entry per function, whatever the line."""
    return _LINE.sub(")", frame)


def _idle(frames: tuple[str, ...]) -> bool:
    return bool(frames) and frames[-1].startswith(_IDLE_LEAVES)


def _group(thread: str) -> str:
    match = _THREAD.match(thread)
    name = match.group("name") if match else thread
    return re.sub(r"-\d+", "-N", name)  # Thread-12 (worker) → Thread-N (worker)


def summarise(path: Path, top: int = 25) -> str:
    stacks: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = tuple(stack.split(";"))
        if frames[0].startswith("thread ("):
            group, frames = _group(frames[0]), frames[1:]
        else:
            group = "all threads"
        stacks[group][frames] += int(count)

    out: list[str] = [f"py-spy recording {path}"]
    main_groups = [g for g in stacks if "MainThread" in g] or list(stacks)[:1]
    for group in main_groups:
        samples = stacks[group]
        total = sum(samples.values())
        idle = sum(n for frames, n in samples.items() if _idle(frames))
        out.append("")
        out.append(
            f"== {group}: {total} samples, idle in select() {idle / total:.0%}, "
            f"busy {1 - idle / total:.0%}"
        )
        inclusive: Counter[str] = Counter()
        leaf: Counter[str] = Counter()
        for frames, n in samples.items():
            if _idle(frames):
                continue
            for function in dict.fromkeys(_function(f) for f in frames):
                inclusive[function] += n
            if frames:
                leaf[frames[-1]] += n
        busy = max(total - idle, 1)
        out.append(f"-- inclusive, share of busy samples (top {top}):")
        shown = [(f, n) for f, n in inclusive.most_common() if not _OUTER.search(f)][:top]
        out.extend(f"  {n / busy:6.1%}  {function}" for function, n in shown)
        out.append(f"-- self, share of busy samples (top {min(top, 15)}):")
        out.extend(f"  {n / busy:6.1%}  {frame}" for frame, n in leaf.most_common(min(top, 15)))

    others = [g for g in stacks if g not in main_groups]
    for group in sorted(others, key=lambda g: -sum(stacks[g].values())):
        samples = stacks[group]
        total = sum(samples.values())
        leaf = Counter()
        for frames, n in samples.items():
            leaf[" < ".join(frames[-1:-3:-1])] += n
        out.append("")
        out.append(f"== {group}: {total} samples, where the stacks end:")
        out.extend(f"  {n / total:6.1%}  {frame}" for frame, n in leaf.most_common(6))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarise(args.file, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
