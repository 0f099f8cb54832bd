from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from qingshan.reports import services
from qingshan.reports.kinds import KINDS, ParamError


class Command(BaseCommand):
    help = "Generate a report (PDF, Word, Excel) and archive it, e.g. `qingshan report summary year=2026 half=1 --user admin`."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("params", nargs="*", help="name=value")
        parser.add_argument("--user", required=True, help="generate with this user's region scope")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"unknown user {opts['user']}")
        try:
            params = dict(p.split("=", 1) for p in opts["params"])
        except ValueError:
            raise CommandError("parameters are name=value")
        try:
            report = services.create(opts["kind"], params, user)
        except ParamError as exc:
            raise CommandError(str(exc))
        report = services.run(report)
        if report.status != report.Status.DONE:
            raise CommandError(f"report failed: {report.error}")
        for f in (report.pdf, report.docx, report.xlsx):
            self.stdout.write(f.path)
