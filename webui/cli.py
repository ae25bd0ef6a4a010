"""The ``amtsweg`` console script: the engine's commands plus the application's (db, demo, serve),
all on the installation that ``processes.bootstrap`` builds from the environment's settings."""
from __future__ import annotations

import dataclasses
import signal
import threading

import click

from engine import cli as engine_cli
from engine import migrate
from processes.bootstrap import Installation, bootstrap
from processes.settings import Settings, SettingsInvalid


class _Run:
    """Builds the installation on first use, so ``--help`` touches no database."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self._installation: Installation | None = None

    def installation(self) -> Installation:
        if self._installation is None:
            self._installation = bootstrap(self.settings or Settings.from_env())
        return self._installation


    def __call__(self):  # what the engine's commands ask for
        return self.installation().engine


@click.group(cls=engine_cli.ErrorReportingGroup)
@click.pass_context
def main(ctx) -> None:
    """Amtsweg: OZG-Dienste als BPMN-Prozesse. Einstellungen aus der Umgebung (AMTSWEG_DATABASE_URL …)."""
    try:
        run = _Run()
        run.settings = Settings.from_env()
    except SettingsInvalid as err:
        raise click.UsageError(str(err)) from None
    ctx.obj = run
    ctx.meta[engine_cli.DEBUG] = run.settings.debug


for command in engine_cli.main.commands.values():
    main.add_command(command)


def _installation() -> Installation:
    return click.get_current_context().find_root().obj.installation()


@main.command()
@click.option("--until-idle", is_flag=True, help="Beenden, sobald kein Auftrag mehr fällig ist")
@click.option("--lock-seconds", type=int, default=None, help="Sperrdauer je Auftrag")
def worker(until_idle, lock_seconds) -> None:
    """Führt fällige Aufträge aus (Serviceaufrufe, Timer, Fortsetzungen), stellt regelmäßig die Meldungen der
    Register zu und löscht Dateien nie abgeschickter Entwürfe nach der Aufbewahrungsfrist."""
    stopping = []
    if threading.current_thread() is threading.main_thread():  # signal handlers only there (else ValueError)
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        done = _installation().work(until_idle=until_idle, stop=lambda: bool(stopping),
                                    **({"lock_seconds": lock_seconds} if lock_seconds else {}))
    except KeyboardInterrupt:
        return
    if until_idle:
        click.echo(f"{done} Aufträge ausgeführt.")


@main.group()
def db() -> None:
    """Datenbank verwalten."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Legt alle Tabellen an bzw. bringt sie auf den neuesten Stand (Engine und jedes Fachverfahren)."""
    _installation().upgrade_database()
    click.echo("Datenbank ist auf dem neuesten Stand.")


@db.command("heads")
def db_heads() -> None:
    """Zeigt je Zweig (Engine, Fachverfahren) die neueste Migration."""
    for branch, revision in sorted(migrate.heads(_installation().migration_locations()).items()):
        click.echo(f"{branch} {revision}")


@main.command()
def demo() -> None:
    """Richtet die Demo ein: stellt die Modelle bereit und legt Demodaten der Fachverfahren an."""
    installation = _installation()
    for info in installation.deploy_models():
        click.echo(f"{info.key} {info.version}")
    installation.seed_demo()
    click.echo("Demodaten angelegt (Plauen, Musterstadt).")
    for instance_id in installation.start_standing_processes():
        click.echo(f"Dauerprozess gestartet: {instance_id}")


MIN_PASSWORD_LENGTH = 12


@main.group()
def account() -> None:
    """Lokale Konten für Beschäftigte (Kommunen ohne eigenen Anmeldedienst)."""


@account.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Anzeigename, z. B. „Sabine Berger (Standesamt)“")
@click.option("--tenant", required=True, help="Schlüssel der Kommune, z. B. plauen")
@click.option("--group", "groups", multiple=True, help="Amt (Kandidatengruppe), mehrfach möglich")
@click.option("--role", "roles", multiple=True, required=True, help="Rolle: clerk, cashier, post_room, team_lead …")
@click.password_option("--password", prompt="Passwort", confirmation_prompt="Passwort wiederholen",
                       help="Ohne Angabe wird es verdeckt abgefragt.")
def account_add(username, name, tenant, groups, roles, password) -> None:
    """Legt ein Konto an (Passwort als Argon2-Hash) und zeigt den TOTP-Schlüssel für die Authenticator-App."""
    import pyotp

    from processes.staff import GroupMapInvalid, local_grant
    from tasks.staff_accounts import AccountExists

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.")
    try:
        grant = local_grant(tenant, groups, roles)
    except GroupMapInvalid as err:
        raise click.UsageError(str(err)) from None
    try:
        secret = _installation().registry.system("staff_accounts").add(
            username, name, grant.tenant, grant.groups, grant.roles, password)
    except AccountExists as err:
        raise click.UsageError(str(err)) from None
    click.echo(f"Konto „{username}“ angelegt. Zweiter Faktor (nur jetzt sichtbar) – in die Authenticator-App:")
    click.echo(f"  Schlüssel: {secret}")
    click.echo(f"  {pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name='Amtsweg')}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--with-worker/--no-worker", default=True, show_default=True)
@click.option("--mail-sink", is_flag=True, help="Lokalen SMTP-Server starten, der E-Mails nur in einem Ordner ablegt (Demo)")
def serve(host, port, with_worker, mail_sink) -> None:
    """Startet die Weboberfläche (und einen Worker im selben Prozess)."""
    from tasks.notifications.sink import MailSink

    from . import create_app

    run = click.get_current_context().find_root().obj
    if run.settings.mode == "production":
        raise click.UsageError("„amtsweg serve“ ist der Entwicklungsserver der Demo. Im Betrieb startet die "
                               "Weboberfläche mit „gunicorn -c webui/gunicorn.conf.py“ und die Worker mit "
                               "„amtsweg worker“ (siehe README, Abschnitt Betrieb).")
    if mail_sink:
        sink = MailSink(folder=run.settings.mail_dir).start()
        run.settings = dataclasses.replace(run.settings, smtp=dataclasses.replace(run.settings.smtp, host=sink.host,
                                                                                  port=sink.port))
        click.echo(f"E-Mails der Demo landen in {run.settings.mail_dir.resolve()}")
    app = create_app(run.installation())
    if with_worker:
        app.extensions["amtsweg"].start_background_worker()
        run.installation().start_housekeeping()
    app.run(host=host, port=port, threaded=True, use_reloader=False)
