"""The lessons interface in Estonian, Russian and Kazakh: pages, messages, plural forms, dates, CSV, catalogs.

Pages are requested under their language prefix (``/et/…``, ``/ru/…``); each check names the
translated text it expects and English interface strings that must be gone. Course content
(titles, quiz prompts) is the English test content and stays as written.
"""

import csv
import datetime
import gettext
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from wagtail.models import Locale

import lessons
from lessons import catalogue
from lessons.learning.services import enrol
from lessons.models import Certificate, Membership
from lessons.templatetags.lesson_dates import local_date
from tests import factories as f

pytestmark = pytest.mark.django_db
Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}
LOCALE_DIR = Path(lessons.__file__).parent / "locale"
TRANSLATED = {"et": 2, "ru": 3, "kk": 2}  # language: number of plural forms
DUE = datetime.date(2030, 5, 31)


@pytest.fixture(autouse=True)
def english_afterwards():
    """Requests activate their language in this thread; later tests read the English interface."""
    cache.clear()
    yield
    translation.deactivate()
    cache.clear()


def url(language, name, *args):
    with translation.override(language):
        return reverse(name, args=args)


def page_url(language, page):
    """A page's URL under another language prefix (the test pages live in the English tree)."""
    assert page.url.startswith("/en/")
    return f"/{language}/{page.url.removeprefix('/en/')}"


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_translated(html, present, absent):
    missing = [text for text in present if text not in html]
    assert not missing, f"translated text missing: {missing}"
    left = [text for text in absent if text in html]
    assert not left, f"English interface text left: {left}"


def on_date(language, value, style):
    with translation.override(language):
        return local_date(value, style)


@pytest.fixture
def learner_world():
    """An enrolled learner who has read the reading-only lesson: (client, learner, course, quiz lesson, reading)."""
    page, quiz_lesson, reading = f.learning_course()
    learner = f.UserFactory(username="mari", first_name="Mari", last_name="Tamm")
    enrol(user=learner, course=page)
    client = Client()
    client.force_login(learner)
    client.get(reading.url)
    return SimpleNamespace(client=client, learner=learner, course=page, quiz_lesson=quiz_lesson, reading=reading)


def complete_course(world):
    quiz_url = reverse("lessons:quiz", args=[world.quiz_lesson.id, f.quiz_block(world.quiz_lesson).id])
    world.client.get(world.quiz_lesson.url)
    world.client.post(quiz_url, f.quiz_answers(world.quiz_lesson, f.ALL_RIGHT))
    return Certificate.objects.get(user=world.learner)


# Learner pages

COURSE_PAGE_ENGLISH = [
    "All courses",
    "Breadcrumb",
    ">Lessons<",
    "Your progress",
    "Course progress",
    "lessons complete",
    "Continue:",
    "Course glossary",
    "about 60 minutes",
    "For students",
    "Beginner",
]


@pytest.mark.parametrize(
    ("language", "present"),
    [
        (
            "et",
            [
                "Kõik kursused",
                ">Õppetükid<",
                "Sinu edenemine",
                "Läbitud õppetükke: 1/2 (50%)",
                "Jätka: What AI is",
                "Kursuse sõnastik",
                "umbes 60 minutit",
                "Algtase",
            ],
        ),
        (
            "ru",
            [
                "Все курсы",
                ">Уроки<",
                "Ваш прогресс",
                "Пройдено 1 из 2 уроков (50%)",
                "Продолжить: What AI is",
                "Глоссарий курса",
                "около 60 минут",
                "Начальный уровень",
            ],
        ),
        ("kk", ["Барлық курстар", ">Сабақтар<", "Аяқталған сабақтар: 1/2 (50%)", "шамамен 60 минут"]),
    ],
)
def test_course_page_speaks_the_language_of_its_url(learner_world, language, present):
    html = html_of(learner_world.client.get(page_url(language, learner_world.course)))
    assert f'<html lang="{language}">' in html
    assert_translated(html, present, COURSE_PAGE_ENGLISH)


def test_anonymous_course_page_invites_to_log_in_in_estonian(learner_world):
    html = html_of(Client().get(page_url("et", learner_world.course)))
    assert_translated(
        html,
        [
            "Logi sisse</a> või",
            "loo konto</a>, et sellele kursusele registreeruda",
            f"?next={learner_world.course.url}",
        ],
        ["Log in</a> or", "sign up</a>", "keep track of your progress"],
    )


def test_lesson_page_with_a_quiz_in_estonian(learner_world):
    html = html_of(learner_world.client.get(page_url("et", learner_world.quiz_lesson)))
    assert_translated(
        html,
        [
            "Selles õppetükis",
            ">Mõtiskle<",
            "Sinu märge",
            "Märkmeid näed ainult sina.",
            "Salvesta märkmetesse",
            "Läbimiseks on vaja 70%.",
            "Võid proovida nii mitu korda, kui soovid.",
            "(vali kõik sobivad)",
            "Saada vastused",
            "Õppetükk 1/2, kursus",
            "Järgmine õppetükk: How models learn",
            "Umbes 15 minutit",
            "Pooleli: õppetüki lõpetamiseks soorita test.",
        ],
        [
            "In this lesson",
            ">Reflect<",
            "Your note",
            "Only you can see your notes",
            "Save to my notes",
            "Pass mark",
            "as many times as you like",
            "choose all that apply",
            "Submit answers",
            "Lesson 1 of 2",
            "Next lesson:",
            "About 15 minutes",
            "pass the quiz to complete",
            "Lessons in this course",
        ],
    )
    assert "Which of these use AI?" in html  # the lesson's own content is not the interface's to translate


def test_quiz_results_and_refusals_in_russian_and_estonian(learner_world):
    lesson = learner_world.quiz_lesson
    learner_world.client.get(page_url("ru", lesson))  # read, so that passing the quiz completes the course
    quiz_url = url("ru", "lessons:quiz", lesson.id, f.quiz_block(lesson).id)
    failed = html_of(learner_world.client.post(quiz_url, f.quiz_answers(lesson, f.ALL_WRONG), **HTMX))
    assert_translated(
        failed,
        [
            "Пока не сдан.",
            "Вы правильно ответили на 0 из 2 вопросов (0%). Проходной балл — 70%.",
            "Ваш выбор: A conscious mind",
            "Не совсем так.",
            "Попробовать ещё раз",
        ],
        ["Not passed yet", "You got", "You chose", "Not quite", "Try again", "lessons complete"],
    )
    passed = html_of(learner_world.client.post(quiz_url, f.quiz_answers(lesson, f.ALL_RIGHT), **HTMX))
    assert_translated(
        passed,
        [
            "Тест сдан!",
            "Правильный ответ: Learns from data",
            "Вы прошли курс «AI basics».",
            "Открыть сертификат",
            "Пройти тест ещё раз",
        ],
        ["Passed!", "Correct answer", "You have completed", "View your certificate", "Take the quiz again"],
    )
    # Listed in the order this learner was shown the options, which the draw shuffles.
    assert re.search(r"Правильные ответы: (Spam filter; Face unlock|Face unlock; Spam filter)", passed)

    incomplete = f.quiz_answers(lesson, f.ALL_RIGHT)
    incomplete.popitem()  # one question left unanswered
    refused = learner_world.client.post(url("et", "lessons:quiz", lesson.id, f.quiz_block(lesson).id), incomplete)
    assert refused.status_code == 400
    assert_translated(
        refused.content.decode(),
        ["Vasta enne saatmist kõigile küsimustele.", "Tagasi õppetüki juurde"],
        ["Please answer every question", "Back to the lesson", "Something is not right"],
    )


@pytest.mark.parametrize(
    ("language", "present"),
    [
        ("et", ["Minu töölaud", "Minu kursused", "Sulle määratud", "Minu tunnistused", "Minu mõtisklusmärkmed"]),
        ("ru", ["Личный кабинет", "Мои курсы", "Назначено вам", "Мои сертификаты", "Мои заметки-размышления"]),
        ("kk", ["Жеке кабинет", "Менің курстарым", "Сізге тағайындалған", "Менің сертификаттарым"]),
    ],
)
def test_dashboard_headings(learner_world, language, present):
    html = html_of(learner_world.client.get(url(language, "lessons:dashboard")))
    english = [
        "My dashboard",
        "My courses",
        "Assigned to you",
        "Nothing is assigned",
        "My certificates",
        "My reflection notes",
        "Complete a course to earn",
        "Join a class or team with a code",
    ]
    assert_translated(html, present, english)


def test_dashboard_assignments_certificates_and_dates_in_russian(learner_world):
    certificate = complete_course(learner_world)
    group = f.GroupFactory(name="9Б")
    f.member(group, user=learner_world.learner)
    f.assign(group, learner_world.course, due_date=DUE)
    f.assign(group, f.course("Prompting"), due_date=datetime.date(2030, 6, 30))

    html = html_of(learner_world.client.get(url("ru", "lessons:dashboard")))
    issued = on_date("ru", certificate.issued_at, "long_date")
    with translation.override("ru"):
        assert issued == formats.date_format(timezone.localtime(certificate.issued_at), "DATE_FORMAT")
    assert_translated(
        html,
        ["Срок: 31.05.2030", "Срок: 30.06.2030", "для группы «9Б»", "не начат", "Курс пройден.", f"выдан {issued}"],
        ["Due ", "31 May 2030", "not started", "completed", "Completed.", "issued"],
    )
    assert re.search(r"·\s*пройден [^<]+</li>", html), "the completed assignment's status, with its date"


def test_certificate_and_its_public_check_in_estonian_and_russian(learner_world):
    certificate = complete_course(learner_world)
    html = html_of(learner_world.client.get(url("et", "lessons:certificate", certificate.code)))
    issued = on_date("et", certificate.issued_at, "long_date")
    with translation.override("et"):
        assert issued == formats.date_format(timezone.localtime(certificate.issued_at), "DATE_FORMAT")
    assert_translated(
        html,
        [
            "Lõputunnistus",
            "on läbinud kursuse",
            issued,
            "Kontrollkood:",
            "Ehtsust saab kontrollida",
            ">Prindi<",
            "Tagasi töölauale",
            "Tunnistus: AI basics",
        ],
        [
            "Certificate of completion",
            "has completed the course",
            "Verification code",
            "Check it at",
            ">Print<",
            "Back to my dashboard",
            "Certificate:",
        ],
    )
    assert "Mari Tamm" in html and certificate.code in html

    public = html_of(Client().get(url("ru", "lessons:verify_certificate", certificate.code)))
    assert_translated(
        public,
        [
            "Сертификат подтверждён",
            "Это подлинный сертификат",
            "Учащийся",
            "Дата прохождения",
            "Код проверки",
            on_date("ru", certificate.issued_at, "long_date"),
        ],
        ["Certificate verified", "genuine certificate", "Learner<", "Completed on", "Verification code"],
    )
    missing = Client().get(url("ru", "lessons:verify_certificate", "no-such-code"))
    assert missing.status_code == 404 and "Сертификата с кодом проверки" in missing.content.decode()


# Classes and teams


@pytest.fixture
def class_world():
    """Class 9B at Tallinn School with a teacher, two learners and AI basics assigned."""
    organisation = f.OrganisationFactory(name="Tallinn School", slug="tallinn-school")
    group = f.GroupFactory(organisation=organisation, name="Class 9B")
    teacher = f.member(group, Role.TEACHER, username="teacher")
    learners = [f.member(group, username=name, first_name=name.title(), last_name="") for name in ("ann", "ben")]
    course, _lessons = f.course_with_lessons()
    f.assign(group, course, due_date=DUE)
    client = Client()
    client.force_login(teacher)
    return SimpleNamespace(
        organisation=organisation, group=group, teacher=teacher, learners=learners, course=course, client=client
    )


def test_join_page_and_its_messages_in_estonian(class_world):
    client = Client()
    client.force_login(f.UserFactory())
    join = url("et", "lessons:org:join")
    assert_translated(
        html_of(client.get(join)),
        ["Liitu klassi või meeskonnaga", "Liitumiskood", "Sisesta liitumiskood", "näiteks K7QP2XMA", ">Liitu<"],
        ["Join a class or team", "Type the join code", "Join code", "for example K7QP2XMA", ">Join<"],
    )
    wrong = client.post(join, {"code": "WRONG123"})
    assert wrong.status_code == 400
    assert_translated(wrong.content.decode(), ["See kood ei sobi ühelegi klassile"], ["does not match any class"])
    joined = html_of(client.post(join, {"code": class_world.group.join_code}, follow=True))
    assert_translated(
        joined,
        ["Liitusid: Class 9B (Tallinn School).", "Minu klassid"],
        ["You joined", "My classes"],
    )


def test_class_page_in_estonian(class_world):
    html = html_of(class_world.client.get(url("et", "lessons:org:group", class_world.group.pk)))
    assert_translated(
        html,
        [
            "Liitumiskood",
            "Õppijad liituvad aadressil",
            'data-testid="join-code">' + class_world.group.join_code,
            "Määra kursus",
            "Tähtaeg (valikuline)",
            "Kutsu e-posti teel",
            "E-posti aadress",
            "Saada kutse",
            "tähtaeg 31.05.2030",
            "Kursuse läbinud õppijaid: 0/2 (0%).",
            "alustamata",
        ],
        [
            "Join code",
            "Learners join at",
            "Assign a course",
            "Due date (optional)",
            "Invite by e-mail",
            "E-mail address",
            "Send invitation",
            "due 31",
            "Completed by",
            "not started",
        ],
    )
    assigned = html_of(
        class_world.client.post(
            url("et", "lessons:org:group-assign", class_world.group.pk),
            {"course": f.course("Prompting").pk, "due_date": "2030-06-05"},
            follow=True,
        )
    )
    assert "Kursus „Prompting“ on määratud: Class 9B, tähtaeg 05.06.2030." in assigned
    assert "Assigned Prompting" not in assigned


def test_invitation_e_mail_in_russian(class_world):
    response = class_world.client.post(
        url("ru", "lessons:org:group-invite", class_world.group.pk), {"email": "new@example.org"}, follow=True
    )
    assert "Приглашение отправлено на new@example.org." in html_of(response)
    message = mail.outbox[-1]
    assert message.subject == "Приглашение в группу «Class 9B» на AI Literacy"
    assert "приглашает вас присоединиться к группе «Class 9B» (Tallinn School)" in message.body
    assert "/ru/learn/org/invitations/" in message.body
    assert "invites you" not in message.body and "Join" not in message.subject


def test_csv_headers_and_cells_follow_the_request_language(class_world):
    admin = f.org_admin(class_world.organisation)
    client = Client()
    client.force_login(admin)
    record = client.post(url("et", "lessons:org:training-record-csv", class_world.organisation.slug))
    assert record.status_code == 200 and record["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(record.content.decode())))
    assert rows[0] == [
        "õppija",
        "kasutajanimi",
        "e-post",
        "klass/meeskond",
        "kursus",
        "määratud",
        "tähtaeg",
        "läbitud",
        "parim testitulemus (%)",
        "tunnistuse kood",
        "keel",
    ]
    assert rows[1][6] == "2030-05-31", "cells stay ISO dates"

    progress = client.post(url("et", "lessons:org:group-progress-csv", class_world.group.pk))
    rows = list(csv.DictReader(io.StringIO(progress.content.decode())))
    assert list(rows[0]) == [
        "õppija",
        "kasutajanimi",
        "kursus",
        "tähtaeg",
        "õppetükk",
        "tehtud",
        "parim testitulemus (%)",
        "testikatseid",
        "kursus läbitud",
        "tähtaeg ületatud",
    ]
    assert {row["tehtud"] for row in rows} == {"ei"} and {row["tähtaeg"] for row in rows} == {"2030-05-31"}

    english = client.post(url("en", "lessons:org:training-record-csv", class_world.organisation.slug))
    assert english.content.decode().splitlines()[0].startswith("learner,username,email,group,course")


def test_training_record_page_in_russian(class_world):
    admin = f.org_admin(class_world.organisation)
    client = Client()
    client.force_login(admin)
    html = html_of(client.get(url("ru", "lessons:org:training-record", class_world.organisation.slug)))
    assert_translated(
        html,
        [
            "Журнал обучения грамотности в области ИИ",
            "Tallinn School · сформирован",
            "Учащийся",
            "Лучший результат теста",
            "Код сертификата",
            "ещё нет",
            "2030-05-31",
        ],
        ["AI-literacy training record", "produced", "Best quiz score", "Certificate code", "not yet"],
    )


# Plural forms and dates


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", {1: "Найден 1 курс", 2: "Найдено 2 курса", 5: "Найдено 5 курсов"}),
        ("et", {1: "Leiti 1 kursus", 2: "Leiti 2 kursust", 5: "Leiti 5 kursust"}),
        ("en", {1: "1 course found", 2: "2 courses found", 5: "5 courses found"}),
    ],
)
def test_the_catalogue_counts_courses_with_the_languages_plural_forms(client, language, expected):
    made = 0
    for count, text in expected.items():
        while made < count:
            made += 1
            f.course(f"Course {made}")
        html = html_of(client.get(f"/{language}/courses/"))
        assert text in html, (count, text)
    if language == "ru":
        assert "Найдено 5 курса" not in html and "courses found" not in html


@pytest.mark.parametrize(
    ("total", "text"),
    [
        (1, "Пройдено 0 из 1 урока (0%)"),
        (2, "Пройдено 0 из 2 уроков (0%)"),
        (5, "Пройдено 0 из 5 уроков (0%)"),
        (11, "Пройдено 0 из 11 уроков (0%)"),
        (21, "Пройдено 0 из 21 урока (0%)"),
    ],
)
def test_russian_has_three_plural_forms(total, text):
    progress = SimpleNamespace(percent=0, completed_count=0, total=total)
    with translation.override("ru"):
        html = render_to_string("lessons/includes/progress_bar.html", {"progress": progress})
    assert text in html


def test_dates_follow_the_language():
    day = datetime.date(2026, 12, 5)
    assert [on_date("en", day, style) for style in ("date", "padded_date", "long_date", "day_month")] == [
        "5 Dec 2026",
        "05 Dec 2026",
        "5 December 2026",
        "5 Dec",
    ]
    assert on_date("et", day, "date") == "05.12.2026" and on_date("et", day, "long_date") == "5. detsember 2026"
    assert on_date("ru", day, "long_date") == "5 декабря 2026 г." and on_date("ru", day, "day_month") == "5 декабря"
    assert on_date("kk", day, "date") == "05.12.2026"
    moment = timezone.make_aware(datetime.datetime(2026, 12, 5, 14, 7))
    assert on_date("en", moment, "datetime") == "5 Dec 2026, 14:07"
    assert on_date("et", moment, "datetime") == "05.12.2026 14:07"
    assert local_date(None) == ""


# The catalogs


def po_entries(path):
    """(flags, msgctxt, msgid, msgid_plural, [msgstr…]) of each active entry of a .po file."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not lines:
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            else:
                fields[current] += line.strip()[1:-1]
        unescape = lambda text: text.encode().decode("unicode_escape").encode("latin-1").decode()  # noqa: E731
        fields = {key: unescape(value) for key, value in fields.items()}
        strings = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
        entries.append((flags, fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strings))
    return entries


def placeholders(text):
    return sorted(re.findall(r"%\(\w+\)s|%%", text))


def tags(text):
    return sorted(re.findall(r"</?\w+", text))


@pytest.mark.parametrize("language", sorted(TRANSLATED))
def test_every_catalog_entry_is_translated_and_compiled(language):
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    header, *entries = po_entries(po)
    assert f"nplurals={TRANSLATED[language]};" in header[4][0]
    assert "fuzzy" not in header[0]
    assert len(entries) > 300
    compiled = gettext.GNUTranslations(mo.open("rb"))
    problems = []
    for flags, context, msgid, plural, strings in entries:
        key = f"{context}\x04{msgid}" if context else msgid
        if "fuzzy" in flags:
            problems.append(("fuzzy", msgid))
        if not strings or not all(strings):
            problems.append(("untranslated", msgid))
            continue
        if plural:
            if len(strings) != TRANSLATED[language]:
                problems.append(("plural forms", msgid))
            if [compiled._catalog.get((key, n)) for n in range(len(strings))] != strings:
                problems.append(("not compiled", msgid))
        elif compiled._catalog.get(key) != strings[0]:
            problems.append(("not compiled", msgid))
        if context == "date format":
            continue  # a Django date pattern or format name, not text
        for string in strings:
            if placeholders(string) != placeholders(plural or msgid) and placeholders(string) != placeholders(msgid):
                problems.append(("placeholders", msgid))
            if tags(string) != tags(msgid):
                problems.append(("markup", msgid))
    assert not problems


def test_a_course_not_translated_yet_says_so_in_the_catalogues_language(client):
    if not hasattr(catalogue, "catalogue_courses"):
        pytest.skip("the catalogue does not fall back to untranslated courses")
    f.course("AI basics")
    russian = Locale.objects.get(language_code="ru")
    for page in (f.home_page(), f.course_index()):
        page.specific.copy_for_translation(russian).save_revision().publish()
    html = html_of(client.get("/ru/courses/"))
    assert_translated(html, ['<h2 class="card__title" lang="en">', "Пока не переведён (English)"], ["Not translated"])
