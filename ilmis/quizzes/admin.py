from django.contrib import admin

from .models import Answer, Attempt, AttemptQuestion, Category, Question, Quiz, QuizSlot


class SlotInline(admin.TabularInline):
    model = QuizSlot
    extra = 1
    autocomplete_fields = ["question"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "purpose", "attempts_allowed", "time_limit_minutes", "pass_mark"]
    list_filter = ["purpose"]
    search_fields = ["title"]
    inlines = [SlotInline]
    raw_id_fields = ["activity"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["name", "qtype", "category"]
    list_filter = ["qtype"]
    search_fields = ["name", "text"]
    inlines = [AnswerInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["path"]
    search_fields = ["path"]


class ItemInline(admin.TabularInline):
    model = AttemptQuestion
    extra = 0
    can_delete = False
    fields = ["position", "question", "mark", "response", "sequence", "fraction"]
    readonly_fields = fields


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "number", "status", "score", "max_score", "started_at"]
    list_filter = ["status"]
    inlines = [ItemInline]
    readonly_fields = [
        "quiz",
        "user",
        "number",
        "status",
        "started_at",
        "deadline",
        "finished_at",
        "score",
        "max_score",
        "passed",
        "closed_by_timeout",
    ]
