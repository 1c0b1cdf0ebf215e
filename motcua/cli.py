"""The ``motcua`` command: one entry point that hands each role to its own module.

Roles are imported only when asked for, so a display Pi that never installed the hub's extras
can still run ``motcua display``.
"""

from __future__ import annotations

import importlib
import sys

# Command -> ("module:function", help); the function takes the rest of argv, returns exit code.
COMMANDS: dict[str, tuple[str, str]] = {
    "hub": ("hub.cli:serve_main", "run the on-site hub server"),
    "demo": ("hub.demo:main", "run the whole system on this computer with demo data"),
    "users": ("hub.cli:users_main", "manage staff accounts"),
    "devices": ("hub.cli:devices_main", "enrolment codes and appliance tokens"),
    "services": ("hub.cli:services_main", "list or load services"),
    "counters": ("hub.cli:counters_main", "list or load counters"),
    "backup": ("hub.cli:backup_main", "back up the hub database"),
    "restore": ("hub.cli:restore_main", "restore the hub database from a backup"),
    "upstream-sim": ("hub.upstream.sim:main", "a simulated one-stop back end for demo and tests"),
    "sms-sim": ("hub.sms.sim:main", "a fake GSM modem for the demo, and a phone to text the hub"),
    "import": ("hub.cli:import_main", "import procedures or dossiers from a JSON or CSV file"),
    "export": ("hub.cli:export_main", "export tickets, ratings or events as CSV or JSON lines"),
    "kiosk": ("kiosk.main:main", "run the citizen kiosk"),
    "counter": ("counter_panel.main:main", "run the clerk's counter panel"),
    "display": ("queue_display.main:main", "run the waiting-room display"),
}


def usage() -> str:
    """The help text listing every command."""
    lines = ["usage: motcua COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<14} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``motcua COMMAND ...`` to the role's module."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"motcua: unknown command '{name}'\n\n{usage()}", file=sys.stderr)
        return 2
    target, _ = COMMANDS[name]
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        print(f"motcua {name}: not available in this installation ({exc})", file=sys.stderr)
        return 2
    result = getattr(module, func_name)(rest)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
