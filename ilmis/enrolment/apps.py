from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "ilmis.enrolment"
