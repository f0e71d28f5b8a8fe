"""Portal simulator: fake Vietnamese government portals (tandan SharePoint, Liferay, WordPress)
served over real HTTP on 127.0.0.1, so crawls and tests run without internet. Faults on demand
(errors, resets, timeouts, traps, decoys …) for soak tests: faults.py.

Article content lives in portalsim/articles.py (its docstring gives the format). Opt-in sites
whose URLs have no shape (shapeless.py, content in data/articles_shapeless.yaml):
``Simulator(extra_portals=SHAPELESS)``.
"""
from .faults import FaultPlan, soak_articles
from .portals import PORTALS, Portal
from .server import Simulator
from .shapeless import SHAPELESS, SHAPELESS_PORTALS

__all__ = ["PORTALS", "SHAPELESS", "SHAPELESS_PORTALS", "FaultPlan", "Portal", "Simulator", "soak_articles"]
