from django.core.management.base import BaseCommand

from qingshan.portal.delivery import deliver


class Command(BaseCommand):
    help = "Send the subscribers' outbox messages (e-mail; SMS when QINGSHAN_SMS_BACKEND is set)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, **opts):
        counts = deliver(limit=opts["limit"])
        self.stdout.write(f"sent {counts['sent']}, failed {counts['failed']}, waiting for an SMS gateway {counts['waiting']}")
