from django.contrib import admin

from .models import Exercise, Submission


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["activity", "due_at", "correction_released_at"]
    exclude = ["correction_file"]  # through the trainers' page, which checks the content


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["exercise", "learner", "version", "submitted_at", "grade", "graded_at"]
    list_filter = ["exercise"]
    raw_id_fields = ["learner", "graded_by"]
    readonly_fields = ["uuid", "exercise", "learner", "version", "text", "submitted_at"]
    exclude = ["annotated_file"]

    def has_delete_permission(self, request, obj=None):
        return False  # learners' work is kept (R11.4)
