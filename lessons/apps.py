from django.apps import AppConfig


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = "Lessons"

    def ready(self):
        from wagtail.signals import copy_for_translation_done

        from lessons.authoring.services import set_up_authoring_for_translated_catalogue

        copy_for_translation_done.connect(set_up_authoring_for_translated_catalogue)
