"""`python -m scrapers.sim [--host H] [--port-base N]`: serve the simulated portals until Ctrl-C."""
from __future__ import annotations

import argparse
import threading

from .server import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scrapers.sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-base", type=int, default=0,
                        help="serve the portals on consecutive ports from this one (default: free ports)")
    args = parser.parse_args(argv)
    with Simulator(host=args.host, port_base=args.port_base) as sim:
        counts = {name: sum(1 for a in sim.articles if a["portal"] == name) for name in sim.portals}
        for name, portal in sim.portals.items():
            print(f"{name:14} {portal.platform:10} {sim.base_urls[name]:24} {counts[name]:3} articles  {portal.display_name}",
                  flush=True)
        print("Serving; Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()  # until KeyboardInterrupt
        except KeyboardInterrupt:
            print("\nStopping.", flush=True)


if __name__ == "__main__":
    main()
