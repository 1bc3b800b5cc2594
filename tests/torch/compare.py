"""make test-torch: every run of every config in tests/torch/ is replayed by its PyTorch script
(`converge pytorch`) and must end where `converge run` ends: the same step and status, and every
parameter and the loss within 1e-9 * max(1, |value|). Needs Python with torch."""

import glob
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONVERGE = os.environ.get('CONVERGE', os.path.join(HERE, '..', '..', 'target', 'debug', 'converge'))
PYTHON = sys.executable
TOLERANCE = 1e-9


WORST = [0.0]


def close(a, b):
    if isinstance(a, float) and isinstance(b, float) and not (math.isfinite(a) and math.isfinite(b)):
        return (math.isnan(a) and math.isnan(b)) or a == b
    difference = abs(a - b) / max(1.0, abs(b))
    WORST[0] = max(WORST[0], difference)
    return difference <= TOLERANCE


def number(x):
    """converge run writes non-finite numbers as strings."""
    return float(x) if isinstance(x, str) else x


def main():
    failures = []
    checked = 0
    for config in sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, '*.json'))):
        expected = json.loads(subprocess.run([CONVERGE, 'run', config], check=True, capture_output=True, text=True).stdout)
        for index, want in enumerate(expected['runs']):
            script = subprocess.run([CONVERGE, 'pytorch', config, '--run', str(index)], check=True, capture_output=True, text=True).stdout
            done = subprocess.run([PYTHON, '-c', script], capture_output=True, text=True)
            name = f"{os.path.basename(config)} run {index} ({want['label']})"
            if done.returncode != 0:
                failures.append(f'{name}: the script failed:\n{done.stderr[-2000:]}')
                continue
            got = json.loads(done.stdout)
            problems = []
            if got['step'] != want['step']:
                problems.append(f"step {got['step']} != {want['step']}")
            for key in ('state', 'criterion', 'at_step'):
                if got['status'].get(key) != want['status'].get(key):
                    problems.append(f"status.{key} {got['status'].get(key)!r} != {want['status'].get(key)!r}")
            if not close(got['loss'], number(want['loss'])):
                problems.append(f"loss {got['loss']!r} != {want['loss']!r}")
            if len(got['params']) != len(want['params']):
                problems.append(f"{len(got['params'])} params != {len(want['params'])}")
            # A model's training state: the epoch and best step exactly, the losses closely.
            if 'training' in want:
                mine, theirs = got.get('training', {}), want['training']
                for key in ('epoch', 'best_step'):
                    if mine.get(key) != theirs.get(key):
                        problems.append(f'training.{key} {mine.get(key)!r} != {theirs.get(key)!r}')
                for key in ('train_loss', 'validation_loss', 'best_validation_loss'):
                    if not close(number(mine.get(key, float('nan'))), number(theirs[key])):
                        problems.append(f'training.{key} {mine.get(key)!r} != {theirs[key]!r}')
            for i, (a, b) in enumerate(zip(got['params'], want['params'])):
                if not close(a, number(b)):
                    problems.append(f'params[{i}] {a!r} != {b!r}')
            checked += 1
            if problems:
                failures.append(f"{name}: " + '; '.join(problems))
    for failure in failures:
        print('FAIL', failure)
    print(f'{checked} runs replayed with torch, {len(failures)} differ; '
          f'largest difference {WORST[0]:.3g} relative (of max(1, |value|))')
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == '__main__':
    main()
