"""The ``workforce`` command: one verb per pipeline stage, one module per group of verbs.

=====================  ==========================================================
module                 verbs
=====================  ==========================================================
:mod:`.data`           ``generate``, ``validate``, ``ingest``, ``build``
:mod:`.forecast`       ``forecast``, ``backtest``
:mod:`.open_data`      ``fetch-cbs``
:mod:`.regional`       ``regional``
:mod:`.pseudonymise`   ``pseudonymise`` (run by employers, before data leaves them)
:mod:`.align`          ``align``
:mod:`.report`         ``report quality|accuracy|outlook-backtest``
:mod:`.dashboard`      ``dashboard``, ``dashboard token issue|revoke|list``
:mod:`.scenario`       ``scenario run|compare|review``
=====================  ==========================================================

Shared pieces: :mod:`.options` (the data-folder option, enums for choices) and :mod:`.support`
(the console, the one error helper, the writer lock). Only this package prints; the modules it
calls return results. :mod:`.reference` writes ``docs/cli.md`` from these commands.
"""

from __future__ import annotations

import typer

from workforce.cli import (
    align,
    dashboard,
    data,
    forecast,
    open_data,
    pseudonymise,
    regional,
    report,
    scenario,
)

app = typer.Typer(
    help="Labour-market analytics and forecasting for care and welfare in the Utrecht region.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain click help and errors: rich would draw a usage error in a box, wrapped at the
    # terminal's width, and split the words a user greps a log for over lines.
    rich_markup_mode=None,
)

# The order of registration is the order of `workforce --help`: the verbs along the data
# flow, then the groups.
for group in (
    data,
    forecast,
    open_data,
    regional,
    pseudonymise,
    align,
    report,
    dashboard,
    scenario,
):
    group.register(app)

__all__ = ["app"]
