"""`thanthien portals` and `thanthien portals check`: the registry, listed and checked."""
from __future__ import annotations

import time

import click

from archive.cli_output import RowWriter, output_options
from scrapers.registry import RegistryError, default_registry, get_portal

from .base import CliError, DB_OPTION, add_simulator_portals, cli, open_archive, parse_base_urls


@cli.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include the simulator's portals.")
@click.option("--province", help="Only this province's portals (diacritics and 'tỉnh' optional: --province 'son la').")
@DB_OPTION
@click.pass_context
@output_options(json_lines=True)
def portals(ctx, output_format, show_all, province, db_path):
    """List the portal registry with each portal's latest check, and portals per province.

    The table ends with the counts per province; the other formats give one row per portal, its
    latest check as `last_check`. `thanthien portals check` probes the portals' hosts and records
    what answers."""
    if ctx.invoked_subcommand:
        return
    from scrapers.portalcheck import latest_checks
    from scrapers.registry import counts_by_province, in_province

    if show_all:
        add_simulator_portals()
    listed = in_province(province) if province else list(default_registry().values())
    listed = [p for p in listed if show_all or not p.simulated]
    if province and not listed:
        known = ", ".join(counts_by_province(p for p in default_registry().values() if not p.simulated))
        raise CliError(f"no registry portal in province {province!r}; provinces: {known}")
    checks = latest_checks(db_path)

    def table_line(row):
        flag = "verified" if row["verified"] else "unverified"
        line = (f"{row['name']:<18} {row['platform']:<10} {row['status']:<8} {flag:<10} "
                f"{row['province'] or '':<10} {row['district'] or '':<22} {row['base_url']}")
        check = row["last_check"]
        if check:
            seen = f" → {check['final_url']}" if check["status"] == "moved" else ""
            seen += f"; thanthien recover --portal {row['name']}" if check["status"] == "closed" else ""
            line += f"  [checked {check['checked_at'][:10]}: {check['status']}{seen}]"
        return line

    out = RowWriter(output_format, table_line=table_line)
    for portal in listed:
        out.write(portal.as_row() | {"last_check": checks.get(portal.name)})
    out.close()
    if not out.is_table:
        return
    click.echo(f"\n{'province':<12} {'portals':>7} {'verified':>8} {'checked':>7} "
               + " ".join(f"{s:>7}" for s in ("live", "moved", "closed", "unknown")))
    for name, count in counts_by_province(listed).items():
        mine = [p for p in listed if (p.province or "—") == name]
        statuses = [checks[p.name]["status"] for p in mine if p.name in checks]
        click.echo(f"{name:<12} {count:>7} {sum(p.verified for p in mine):>8} {len(statuses):>7} "
                   + " ".join(f"{statuses.count(s):>7}" for s in ("live", "moved", "closed", "unknown")))
    click.echo(f"{'all':<12} {len(listed):>7} {sum(p.verified for p in listed):>8} "
               f"{sum(p.name in checks for p in listed):>7}")


@portals.command("check")
@click.option("--province", "provinces", multiple=True, help="Check this province's portals (repeatable).")
@click.option("--portal", "portal_names", multiple=True, help="Check this registry portal (repeatable).")
@click.option("--base-url", "base_urls", multiple=True, help="NAME=URL: check a registry portal served from elsewhere (mirror, simulator).")
@click.option("--resolve", "resolves", multiple=True,
              help="HOST=ADDRESS:PORT: connect to ADDRESS:PORT (plain HTTP) for HOST, keeping its URLs (tests, like curl --resolve).")
@click.option("--simulated", is_flag=True, help="Loopback hosts (a local simulator) skip the politeness budget.")
@click.option("--interval", type=float, help="Seconds between requests to one registrable domain (default THANTHIEN_SITE_INTERVAL; a longer robots.txt Crawl-delay wins).")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for each answer.")
@click.option("--workers", type=int, default=8, show_default=True, help="Registrable domains checked at once.")
@DB_OPTION
@output_options(json_lines=True)
def portals_check(provinces, portal_names, base_urls, resolves, simulated, interval, timeout, workers, output_format,
                  db_path):
    """Probe each portal's host politely (robots.txt, home page) and record live / moved / closed / unknown.

    Without --portal or --province every registry portal (not the simulator's) is checked. Results
    are printed as they come, one row per portal; the totals and hints go to stderr."""
    import threading

    from scrapers import portalcheck, settings as crawl_settings

    chosen, targets = _portals_to_check(portal_names, provinces, base_urls)
    try:
        resolve = portalcheck.parse_resolve(resolves)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if interval is None:
        interval = getattr(crawl_settings, "THANTHIEN_SITE_INTERVAL", 1.0)
    db = open_archive(db_path, create=True, write=True)
    click.echo(f"checking {len(targets)} portals: robots.txt and home page, one request per {interval:g}s "
               "per registrable domain", err=True)
    echo_lock = threading.Lock()

    def table_line(row):
        return (f"{row['portal']:<18} {row['status']:<8} {row['http_status'] or '-':>4} "
                f"{row['platform_seen'] or '-':<10} {row['final_url'] or '-'}"
                + (f"  ({row['detail']})" if row["detail"] else ""))

    columns = [f for f in portalcheck.CheckResult.__dataclass_fields__ if f != "platform_changed"]
    out = RowWriter(output_format, columns, table_line=table_line)

    def show(result):
        with echo_lock:
            out.write(result.as_row())

    started = time.monotonic()
    results = portalcheck.check_portals(targets, user_agent=crawl_settings.USER_AGENT, interval=interval,
                                        simulated=simulated, timeout=timeout, resolve=resolve, workers=workers,
                                        on_result=show)
    out.close()
    portalcheck.store(db, results, chosen)
    counts = {s: sum(r.status == s for r in results) for s in portalcheck.STATUSES}
    click.echo(f"checked {len(results)} portals in {time.monotonic() - started:.1f}s: "
               + ", ".join(f"{s} {n}" for s, n in counts.items()) + f" → {db_path} (portal_checks)", err=True)
    _check_hints(results)


def _portals_to_check(portal_names, provinces, base_urls):
    """(the registry entries chosen, the same as they are checked: each from its --base-url if given)."""
    from scrapers.registry import in_province

    add_simulator_portals()  # a simulator's portal is checked when named, with its --base-url
    try:
        chosen = [get_portal(n) for n in portal_names]
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    for province in provinces:
        found = [p for p in in_province(province) if not p.simulated]
        if not found:
            raise CliError(f"no registry portal in province {province!r} (see `thanthien portals`)")
        chosen += found
    if not portal_names and not provinces:
        chosen = [p for p in default_registry().values() if not p.simulated]
    chosen = list({p.name: p for p in chosen}.values())
    mapping = parse_base_urls(base_urls)
    unknown = set(mapping) - {p.name for p in chosen}
    if unknown:
        raise CliError(f"--base-url names portals not being checked: {', '.join(sorted(unknown))}")
    targets = [p.with_base_url(mapping[p.name]) if p.name in mapping else p for p in chosen]
    for portal in targets:
        if portal.simulated and portal.name not in mapping:
            raise CliError(f"{portal.name} is served by the simulator: give --base-url {portal.name}=URL")
    return chosen, targets


def _check_hints(results) -> None:
    """What to do next, on stderr: a platform that changed, a closed portal's Wayback copy."""
    for result in results:
        if result.platform_changed:
            click.echo(f"note: {result.portal}: {result.detail}; fix its registry entry once a page confirms it", err=True)
    for result in results:
        if result.status == "closed":
            click.echo(f"hint: {result.portal} is closed; its articles may survive in the Wayback Machine: "
                       f"thanthien recover --portal {result.portal}", err=True)
