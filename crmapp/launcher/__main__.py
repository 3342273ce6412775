"""`python -m crmapp.launcher run [--port N] | services | migrate`."""

from __future__ import annotations

import argparse
import sys

from crmapp.launcher.run import migrate, run, services_only
from crmapp.settings import get_settings


def main() -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m crmapp.launcher", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="start everything (services, worker, web app)")
    run_cmd.add_argument("--port", type=int, default=get_settings().port)
    sub.add_parser("services", help="start PostgreSQL and Redis only")
    sub.add_parser("migrate", help="prepare the database named by DATABASE_URL, then exit")
    args = parser.parse_args()
    if args.command == "run":
        return run(args.port)
    if args.command == "migrate":
        return migrate()
    return services_only()


if __name__ == "__main__":
    sys.exit(main())
