"""A shipped version's digest is the same in every process: the store refuses a version whose
content differs from the one imported, so a digest varying with the hash seed (a set dumped in
its iteration order) would stop the service at its next start."""

import os
import subprocess
import sys

SCRIPT = (
    "from amo_claims.reference_files import load_versions\n"
    "print(sorted((v.key, v.digest) for v in load_versions()))"
)


def digests(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_every_shipped_versions_digest_is_independent_of_the_hash_seed():
    assert len({digests(seed) for seed in ("1", "2", "3", "4")}) == 1
