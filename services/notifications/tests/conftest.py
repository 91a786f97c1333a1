"""The notifications tests share their sample events (`notification_samples`, beside this file)."""

from __future__ import annotations

import sys
from pathlib import Path

# --import-mode=importlib puts no test directory on sys.path: this one holds the samples.
sys.path.insert(0, str(Path(__file__).resolve().parent))
