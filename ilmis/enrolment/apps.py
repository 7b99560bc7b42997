from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "ilmis.enrolment"

    def ready(self):
        from ilmis.maintenance.signals import outage_ended

        from .receivers import on_outage_ended

        outage_ended.connect(on_outage_ended, dispatch_uid="enrolment.outage_ended")
