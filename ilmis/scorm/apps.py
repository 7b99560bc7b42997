from django.apps import AppConfig


class ScormConfig(AppConfig):
    name = "ilmis.scorm"
