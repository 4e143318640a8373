"""`tutor doctor`: the tutor's and kernel's Python, numpy/torch/CUDA, sandbox layers, data dir."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tutor.settings import Settings

CUDA_PROBE = """
import json, sys
torch = sys.modules.get("torch")
if torch is None:
    report = {"torch": None}
else:
    available = bool(torch.cuda.is_available())
    count = torch.cuda.device_count() if available else 0
    names = [torch.cuda.get_device_name(i) for i in range(count)]
    report = {"torch": torch.__version__, "cuda": available, "devices": names,
              "cuda_version": torch.version.cuda}
print(json.dumps(report))
"""


def _data_dir_status(path: Path) -> tuple[bool, str]:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return False, f"cannot create: {exc.strerror}"
    if not os.access(path, os.W_OK):
        return False, "not writable"
    return True, "writable"


def _kernel_report(settings: Settings) -> tuple[bool, list[str]]:
    """The kernel's interpreter, libraries, CUDA and every sandbox layer, in force or not.

    The kernel is started `relaxed` here so that every layer can be shown even on a machine where
    `strict` (the default) would refuse to run code; the last line says which applies."""
    import dataclasses

    from checkers.kernel import Kernel, KernelError
    from checkers.kernel.process import level_failures
    from tutor.practice.code import kernel_config

    config = kernel_config(settings, torch=True, standby=False)
    probe_config = dataclasses.replace(
        config, isolation="relaxed" if config.isolation == "strict" else config.isolation
    )
    lines = [f"kernel python   {config.interpreter()}"]
    try:
        with Kernel(probe_config) as kernel:
            info = kernel.info
            level = kernel.sandbox_level
            probe = kernel.execute(CUDA_PROBE, timeout=max(settings.kernel_timeout, 60))
    except KernelError as exc:
        return False, [*lines, f"kernel          BROKEN: {exc}"]
    lines.append(f"kernel version  Python {info.python}")
    lines.append(f"numpy (kernel)  {info.versions.get('numpy') or 'missing'}")
    cuda = _parse_probe(probe.stdout) if probe.ok else {"torch": None}
    if cuda.get("torch") is None:
        lines.append(
            "torch (kernel)  not installed (torch exercises need it: pip install torch, "
            "or kernel.python)"
        )
    else:
        lines.append(f"torch (kernel)  {cuda['torch']}")
        if cuda.get("cuda"):
            devices = cuda.get("devices")
            names = ", ".join(str(d) for d in devices) if isinstance(devices, list) else "?"
            lines.append(f"CUDA            {cuda.get('cuda_version')}: {names}")
        else:
            lines.append("CUDA            no CUDA device (GPU parts of the labs are skipped)")
    healthy = True
    if level.full:
        lines.append(
            f"sandbox         full: every layer below holds (kernel.isolation = {config.isolation})"
        )
    elif config.isolation == "strict":
        healthy = False
        lines.append(
            f"sandbox         {level.name}: NOT every layer holds, so code exercises will not run "
            "(kernel.isolation = strict). To run them anyway, knowing what a hostile file "
            "could do, "
            'set kernel.isolation = "relaxed"'
        )
    else:
        lines.append(
            f"sandbox         {level.name}: you chose kernel.isolation = {config.isolation}; "
            "code runs with the layers marked missing below"
        )
    for layer in level.layers:
        mark = "ok     " if layer.ok else "MISSING"
        lines.append(f"  {layer.title:<15} {mark} {layer.detail}")
    why = info.limits.get("processes") or "no limit configured"
    lines.append(f"processes       {info.process_limit or f'NOT LIMITED ({why})'}")
    if not level.full:
        # Why a stronger way of starting was not used: context for the missing layers above.
        for failure in level_failures(config.interpreter()):
            lines.append(f"  not available  {failure}")
    return healthy, lines


def _parse_probe(text: str) -> dict[str, object]:
    try:
        data = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"torch": None}
    return data if isinstance(data, dict) else {"torch": None}


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the report; exit 1 when the kernel cannot start or the data dir is unusable."""
    print(f"tutor python    {sys.executable} (Python {sys.version.split()[0]})")
    kernel_ok, lines = _kernel_report(settings)
    for line in lines:
        print(line)
    data_ok, data_text = _data_dir_status(settings.data_dir)
    print(f"data dir        {settings.data_dir} ({data_text})")
    healthy = kernel_ok and data_ok
    print("status          ok" if healthy else "status          PROBLEMS: see above")
    return 0 if healthy else 1
