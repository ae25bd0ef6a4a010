"""The engine's commands of ``amtsweg``. Their arguments and ``--json`` output are a contract for
tests, operators and outside checks: keep them stable. The console script (``webui.cli``) adds
the application's commands and hands every command its engine through the click context."""
from __future__ import annotations

import json
import signal
import sys
import threading

import click

from .errors import EngineError, FormInvalid, ModelInvalid


def _engine():
    """The engine of this run: the root context's ``obj`` is a callable that builds it."""
    return click.get_current_context().find_root().obj()


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def _load_json(text: str, option: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"kein gültiges JSON ({err.msg}, Zeichen {err.pos})", param_hint=option)
    if not isinstance(value, dict):
        raise click.BadParameter("ein JSON-Objekt wird erwartet", param_hint=option)
    return value


class ErrorReportingGroup(click.Group):
    """Turns the engine's typed errors into one clear line and exit code 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ModelInvalid as err:
            for problem in err.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
        except FormInvalid as err:
            for error in err.errors:
                click.echo(str(error), err=True)
            sys.exit(1)
        except EngineError as err:
            click.echo(f"Fehler: {err}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug, not the model's or the caller's fault: one line, not a traceback
            if getattr(ctx.obj, "debug", False):  # the application's settings (AMTSWEG_DEBUG=1)
                raise
            click.echo(f"Interner Fehler ({type(err).__name__}: {err}). Bitte melden Sie den Befehl und diese "
                       "Meldung dem Betrieb; mit AMTSWEG_DEBUG=1 erscheinen die Einzelheiten.", err=True)
            sys.exit(2)


@click.group(cls=ErrorReportingGroup)
def main() -> None:
    """Befehle der Prozess-Engine."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
def validate(paths) -> None:
    """Prüft BPMN-, DMN- und Formulardateien; Exit 1 mit einer Meldung je Problem."""
    from .repository import read_paths

    problems = _engine().repository.validate(read_paths(paths))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)
    click.echo("Keine Probleme gefunden.")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--name", default=None, help="Name der Bereitstellung")
@click.option("--json", "as_json", is_flag=True)
def deploy(paths, name, as_json) -> None:
    """Stellt Prozessmodelle bereit und gibt Schlüssel und Version je Prozess aus."""
    from .repository import read_paths

    infos = _engine().repository.deploy(read_paths(paths), name=name or ", ".join(paths))
    if as_json:
        _echo_json([{"key": i.key, "version": i.version, "id": i.id} for i in infos])
    else:
        for info in infos:
            click.echo(f"{info.key} {info.version}")


@main.command()
@click.argument("key")
@click.option("--tenant", default="plauen", show_default=True)
@click.option("--business-key", default=None)
@click.option("--data", default="{}", help="Startvariablen als JSON-Objekt")
@click.option("--user", default=None)
def start(key, tenant, business_key, data, user) -> None:
    """Startet einen Vorgang und gibt seine ID aus."""
    click.echo(_engine().runtime.start(key, tenant=tenant, business_key=business_key,
                                       variables=_load_json(data, "--data"), user=user))


@main.command()
@click.option("--until-idle", is_flag=True, help="Beenden, sobald kein Auftrag mehr fällig ist")
@click.option("--lock-seconds", type=int, default=None, help="Sperrdauer je Auftrag")
def worker(until_idle, lock_seconds) -> None:
    """Führt fällige Aufträge aus (Serviceaufrufe, Timer, Fortsetzungen)."""
    stopping = []
    if threading.current_thread() is threading.main_thread():  # signal handlers only there (else ValueError)
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    executor = _engine().executor(**({"lock_seconds": lock_seconds} if lock_seconds else {}))
    try:
        done = executor.run(until_idle=until_idle, stop=lambda: bool(stopping))
    except KeyboardInterrupt:
        return
    if until_idle:
        click.echo(f"{done} Aufträge ausgeführt.")


@main.group()
def instance() -> None:
    """Vorgänge ansehen und steuern."""


@instance.command("show")
@click.argument("instance_id")
@click.option("--json", "as_json", is_flag=True)
def instance_show(instance_id, as_json) -> None:
    view = _engine().instance_view(instance_id)
    if as_json:
        _echo_json({k: view[k] for k in ("id", "state", "variables", "open_tasks", "incidents", "audit")})
        return
    click.echo(f"{view['id']} {view['process_key']} {view['state']}")
    for task in view["open_tasks"]:
        click.echo(f"  Aufgabe {task['id']} {task['name']} ({task['candidate_group'] or '-'})")
    for incident in view["incidents"]:
        click.echo(f"  Störung {incident['id']}: {incident['message']}")


@instance.command("cancel")
@click.argument("instance_id")
@click.option("--reason", default=None)
@click.option("--user", default=None)
def instance_cancel(instance_id, reason, user) -> None:
    _engine().runtime.cancel(instance_id, user=user, reason=reason)
    click.echo("abgebrochen")


@instance.command("suspend")
@click.argument("instance_id")
def instance_suspend(instance_id) -> None:
    _engine().management.suspend(instance_id)
    click.echo("angehalten")


@instance.command("resume")
@click.argument("instance_id")
def instance_resume(instance_id) -> None:
    _engine().management.resume(instance_id)
    click.echo("fortgesetzt")


@main.group()
def task() -> None:
    """Aufgaben auflisten und erledigen."""


@task.command("list")
@click.option("--group", default=None)
@click.option("--instance", "instance_id", default=None)
@click.option("--tenant", default=None)
@click.option("--json", "as_json", is_flag=True)
def task_list(group, instance_id, tenant, as_json) -> None:
    from .facade import _plain

    tasks = _engine().tasks.query(candidate_group=group, instance_id=instance_id, tenant=tenant)
    if as_json:
        _echo_json([_plain(t) for t in tasks])
        return
    for t in tasks:
        click.echo(f"{t.id} {t.name} {t.candidate_group or '-'} {t.instance_id}")


@task.command("complete")
@click.argument("task_id")
@click.option("--data", default="{}", help="Formulardaten als JSON-Objekt")
@click.option("--user", default=None)
def task_complete(task_id, data, user) -> None:
    _engine().tasks.complete(task_id, _load_json(data, "--data"), user=user)
    click.echo("erledigt")


@main.group()
def incident() -> None:
    """Störungen ansehen und wiederholen."""


@incident.command("list")
@click.option("--json", "as_json", is_flag=True)
def incident_list(as_json) -> None:
    from .facade import _plain

    incidents = _engine().management.incidents()
    if as_json:
        _echo_json([_plain(i) for i in incidents])
        return
    for i in incidents:
        click.echo(f"{i.id} {i.instance_id} {i.activity_id or '-'}: {i.message}")


@incident.command("retry")
@click.argument("incident_id")
@click.option("--user", default=None)
def incident_retry(incident_id, user) -> None:
    _engine().management.retry_incident(incident_id, user=user)
    click.echo("wird wiederholt")


@main.command()
@click.argument("message_name")
@click.option("--keys", default="{}", help="Korrelationsschlüssel als JSON-Objekt")
@click.option("--data", default="{}", help="Nutzdaten als JSON-Objekt")
@click.option("--tenant", default=None)
def correlate(message_name, keys, data, tenant) -> None:
    """Stellt eine Nachricht dem wartenden Vorgang zu und gibt dessen ID aus."""
    click.echo(_engine().runtime.correlate(message_name, _load_json(keys, "--keys"), _load_json(data, "--data"), tenant=tenant))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--seconds", type=float, default=3.0, show_default=True, help="Messdauer je Variante")
def bench(as_json, seconds) -> None:
    """Misst Durchsatz: SpiffWorkflow allein, Engine persistiert, Lebenszyklus."""
    from .bench import run_bench

    results = run_bench(seconds)
    if as_json:
        _echo_json(results)
    else:
        for key, value in results.items():
            click.echo(f"{key}: {value}")
