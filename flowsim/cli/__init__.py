"""The ``flowsim`` command line: validate, expected flows, sources, runs, comparisons, money, sweeps.

Every command calls the package's public API. A user mistake (bad file, bad
value, bad option) prints what is wrong and exits with status 2, never a
traceback: the group below catches every ``FlowsimError`` a command raises.
"""
from __future__ import annotations

import errno
import shlex
import sys

import click

from flowsim.cli import calibrate, compare, finance, inspect, profile, published, runs, sweep, uncertainty
from flowsim.cli.common import COMMAND_KEY, EXIT_INTERRUPTED, EXIT_USER_ERROR, err, report
from flowsim.errors import FlowsimError
from flowsim.version import __version__


# Faults of the user's files and folders, not of flowsim: a name too long, no permission, a full disk.
FILE_ERRORS = {errno.ENAMETOOLONG, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.ENOTDIR,
               errno.EISDIR, errno.ENOENT, errno.EDQUOT, errno.ELOOP}


class FlowsimGroup(click.Group):
    """A click group that reports a FlowsimError (or a file the system refuses) as a message and exits 2,
    and Ctrl-C as one line and exit 130."""

    def parse_args(self, ctx: click.Context, args: list[str]):
        ctx.meta[COMMAND_KEY] = shlex.join(["flowsim", *args])  # for the manifests of written runs
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FlowsimError as error:
            report(error)
            sys.exit(EXIT_USER_ERROR)
        except OSError as error:
            if error.errno not in FILE_ERRORS:
                raise
            where = f"{error.filename}: " if error.filename else ""
            report(FlowsimError(f"{where}{error.strerror}"))
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt:
            err.print("stopped (Ctrl-C)")
            sys.exit(EXIT_INTERRUPTED)


@click.group(cls=FlowsimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowsim")
def main() -> None:
    """flowsim: adult social care referral-flow simulator."""


for command in (*inspect.COMMANDS, *runs.COMMANDS, *compare.COMMANDS, *finance.COMMANDS, *sweep.COMMANDS,
                *calibrate.COMMANDS, *published.COMMANDS, *profile.COMMANDS, *uncertainty.COMMANDS):
    main.add_command(command)

__all__ = ["main"]
