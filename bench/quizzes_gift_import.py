"""GIFT import of 10,000 questions (issue 4 goal: < 5 s), and the same through Moodle XML.

Usage: .venv/bin/python bench/quizzes_gift_import.py [count]
Runs on a throw-away SQLite database (or DATABASE_URL if you export BENCH_KEEP_DATABASE_URL=1):
generates `count` (default 10,000) GIFT questions of every type in 20 categories, then prints
the time to parse, to import (parse, check, write in one transaction), to export, and the same
for Moodle XML, with the file sizes and questions per second.
"""

import os
import sys
import tempfile
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
if not os.environ.get("BENCH_KEEP_DATABASE_URL"):
    os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["HUEY_IMMEDIATE"] = "1"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from ilmis.quizzes import services  # noqa: E402
from ilmis.quizzes.gift import parse_gift  # noqa: E402
from ilmis.quizzes.models import Answer, Category, Question  # noqa: E402
from ilmis.quizzes.moodlexml import parse_xml  # noqa: E402

TEMPLATES = [
    "::TF {i}:: La proposition n° {i} est vraie. {{T#Non, elle est vraie.#Exact.}}",
    "::SC {i}:: Quelle est la bonne réponse n° {i} ? {{\n=bonne#Oui\n~mauvaise#Non\n"
    "~%50%à moitié\n~autre\n}}",
    "::MC {i}:: Cochez les bonnes réponses ({i}) {{\n~%50%a\n~%50%b\n~%-100%c#jamais\n~d\n"
    "####Les deux premières.}}",
    "::SA {i}:: Capitale de la France ({i}) ? {{=Paris =%50%Par*#Presque}}",
    "::NUM {i}:: Combien font {i} + 1 ? {{#\n=%100%{j}:0#Oui\n=%50%{j}:1\n~#Non}}",
    "::NR {i}:: Un nombre entre 1 et 5 ({i}) ? {{#1..5}}",
    "::MAT {i}:: Associez ({i}). {{\n=chat -> croquettes\n=vache -> herbe\n=lapin -> carotte\n}}",
    "::ES {i}:: Expliquez la notion n° {i}. {{####Attendu : une définition.}}",
    "::DE {i}::[markdown]Lisez **attentivement** la consigne {i}.",
    "::MW {i}:: Moodle coûte {{~cher =rien ~peu}} à télécharger ({i}).",
]


def generate(count):
    parts = []
    for i in range(count):
        if i % 500 == 0:
            parts.append(f"$CATEGORY: $course$/top/Bench/Cat {i // 500}")
        parts.append(TEMPLATES[i % len(TEMPLATES)].format(i=i, j=i + 1))
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def timed(label, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<42} {elapsed:7.2f} s")
    return result, elapsed


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    call_command("migrate", verbosity=0)
    data = generate(count)
    print(
        f"GIFT file: {count} questions, {len(data) / 1048576:.2f} MB "
        f"(database: {django.db.connection.vendor})"
    )
    questions, parse_time = timed("parse GIFT (parse_gift)", parse_gift, data.decode())
    assert len(questions) == count, len(questions)
    counts, import_time = timed(
        "import GIFT (parse + check + write)", services.import_questions, data, fmt="gift"
    )
    print(f"  {count / import_time:,.0f} questions/s; per type: {counts}")
    print(
        f"  rows: {Question.objects.count()} questions, {Answer.objects.count()} answers, "
        f"{Category.objects.count()} categories"
    )
    gift, _t = timed("export GIFT", services.export_questions, fmt="gift")
    xml, _t = timed("export Moodle XML", services.export_questions, fmt="xml")
    print(f"  GIFT {len(gift) / 1048576:.2f} MB, XML {len(xml) / 1048576:.2f} MB")
    again, _t = timed("parse Moodle XML (parse_xml)", parse_xml, xml)
    assert len(again) == count
    Answer.objects.all().delete()
    Question.objects.all().delete()
    Category.objects.all().delete()
    _counts, xml_time = timed(
        "import Moodle XML (parse + check + write)", services.import_questions, xml, fmt="xml"
    )
    verdict = "OK" if import_time < 5 else "OVER THE 5 s GOAL"
    print(f"GIFT import of {count} questions: {import_time:.2f} s — goal < 5 s: {verdict}")


if __name__ == "__main__":
    main()
