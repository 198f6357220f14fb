"""Create the PostgreSQL database named in a DATABASE_URL if it does not exist yet (used by .ci/run)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpi_tracker.lib.databases import create_database  # noqa: E402

if __name__ == "__main__":
    if create_database(sys.argv[1]):
        print(f"created the database of {sys.argv[1]}")
