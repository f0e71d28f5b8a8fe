"""`python -m portalsim [--host H] [--port-base N] [--shapeless] [--soak N] [--fault-rate R --fault-kinds K,K --fault-seed S]`:
serve the simulated portals until Ctrl-C (optionally the opt-in sites of shapeless.py too, soak content
and faults on demand, see faults.py)."""
from __future__ import annotations

import argparse
import threading

from .faults import FaultPlan, soak_articles
from .server import Simulator
from .shapeless import SHAPELESS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portalsim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-base", type=int, default=0,
                        help="serve the portals on consecutive ports from this one (default: free ports)")
    parser.add_argument("--shapeless", action="store_true",
                        help="also serve the sites no crawler module was written for (portalsim/shapeless.py)")
    parser.add_argument("--soak", type=int, default=0, help="serve at least N articles (copies of the bundled ones)")
    parser.add_argument("--fault-rate", type=float, default=None, help="inject faults: share of requests (0..1)")
    parser.add_argument("--fault-kinds", default=None, help="comma-separated fault kinds (default: all)")
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-max-per-url", type=int, default=2)
    args = parser.parse_args(argv)
    extra = SHAPELESS if args.shapeless else ()
    articles = None
    if args.soak:
        base = None
        if args.shapeless:
            from .articles import ARTICLES
            from .articles import SHAPELESS_ARTICLES

            base = ARTICLES + SHAPELESS_ARTICLES
        articles = soak_articles(args.soak, seed=args.fault_seed, base=base)
    faults = None
    if args.fault_rate is not None:
        kinds = [k.strip() for k in args.fault_kinds.split(",") if k.strip()] if args.fault_kinds else None
        faults = FaultPlan(rate=args.fault_rate, kinds=kinds, seed=args.fault_seed, max_per_url=args.fault_max_per_url)
    with Simulator(articles, host=args.host, port_base=args.port_base, faults=faults, extra_portals=extra) as sim:
        counts = {name: sum(1 for a in sim.articles if a["portal"] == name) for name in sim.portals}
        for name, portal in sim.portals.items():
            print(f"{name:14} {portal.platform:10} {sim.base_urls[name]:24} {counts[name]:3} articles  {portal.display_name}",
                  flush=True)
        if faults is not None:
            print(f"faults: rate {faults.rate}, kinds {','.join(faults.kinds)}, seed {faults.seed}; "
                  f"{len(sim.unreachable_urls())} articles answer 404/410 for good", flush=True)
        print("Serving; Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()  # until KeyboardInterrupt
        except KeyboardInterrupt:
            print("\nStopping.", flush=True)


if __name__ == "__main__":
    main()
