"""The language switcher, the hreflang alternates, the saved language and the translated cms pages."""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from wagtail.models import Locale

from cms.blocks import CONTENT_BLOCKS, CalloutBlock
from cms.languages import path_in_language
from cms.models import AccountPreferences
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's


class LanguageLinks(HTMLParser):
    """The switcher's links or forms (``switcher``) and the ``<link rel="alternate">`` tags (``alternates``)."""

    def __init__(self, html):
        super().__init__()
        self.switcher, self.alternates, self.html_lang = [], {}, None
        self._in_switcher = False
        self._form = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "alternate":
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in attrs.get("class", ""):
            self._in_switcher = True
        elif self._in_switcher and tag == "a":
            self.switcher.append({"kind": "link", **attrs})
        elif self._in_switcher and tag == "form":
            self._form = {"kind": "form", "action": attrs["action"], "method": attrs["method"]}
            self.switcher.append(self._form)
        elif self._form is not None and tag == "input":
            self._form[attrs["name"]] = attrs.get("value")
        elif self._form is not None and tag == "button":
            self._form["button_lang"] = attrs.get("lang")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False
        elif tag == "form":
            self._form = None

    def by_language(self):
        return {entry.get("lang") or entry.get("language"): entry for entry in self.switcher}


def links(response):
    assert response.status_code == 200, response.status_code
    return LanguageLinks(response.content.decode())


def publish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def translated_course():
    """An English course (the source) with a published Russian translation under other slugs."""
    course = f.course("AI basics")
    ru = Locale.objects.get(language_code="ru")
    russian = course.copy_for_translation(ru, copy_parents=True).specific  # parents become live aliases
    russian.title, russian.slug = "Основы ИИ", "osnovy-ii"
    russian = publish(russian)
    return course, russian


# The switcher


def test_the_switcher_on_a_translated_page_links_to_its_translations(client, translated_course):
    course, russian = translated_course
    assert course.url == "/en/courses/ai-basics/" and russian.url == "/ru/courses/osnovy-ii/"

    english_page = links(client.get(course.url)).by_language()
    assert english_page["en"]["href"] == course.url and english_page["en"]["aria-current"] == "true"
    assert english_page["ru"]["href"] == russian.url and english_page["ru"]["hreflang"] == "ru"
    assert "aria-current" not in english_page["ru"]
    # No Estonian or Kazakh translation: those languages' home pages.
    assert english_page["et"]["href"] == "/et/" and english_page["kk"]["href"] == "/kk/"

    russian_page = links(client.get(russian.url)).by_language()
    assert russian_page["ru"]["aria-current"] == "true" and russian_page["ru"]["href"] == russian.url
    assert russian_page["en"]["href"] == course.url


def test_the_switcher_names_each_language_in_that_language(client, translated_course):
    html = client.get(translated_course[0].url).content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    for code, name in [("et", "Eesti"), ("ru", "Русский"), ("en", "English"), ("kk", "Қазақша")]:
        assert re.search(rf'lang="{code}" hreflang="{code}"[^>]*>{name}', switcher), code
    assert 'aria-label="Language"' in switcher
    assert "(not translated yet: opens the home page)" in switcher  # beside Eesti and Қазақша


def test_the_switcher_keeps_a_sub_route_of_the_page(client, translated_course):
    course, russian = translated_course
    glossary = links(client.get(course.glossary_url())).by_language()
    assert glossary["ru"]["href"] == "/ru/courses/osnovy-ii/glossary/"


def test_the_switcher_on_another_view_swaps_the_language_prefix(client):
    page = links(client.get("/en/accounts/login/?next=/en/learn/dashboard/")).by_language()
    assert page["en"]["aria-current"] == "true"
    assert page["ru"]["href"] == "/ru/accounts/login/?next=/ru/learn/dashboard/"
    assert page["et"]["href"] == "/et/accounts/login/?next=/et/learn/dashboard/"
    assert page["kk"]["href"] == "/kk/accounts/login/?next=/kk/learn/dashboard/"


def test_a_page_to_open_after_log_in_follows_the_switch_to_its_translation(client, translated_course):
    course, russian = translated_course
    page = links(client.get(f"/en/accounts/login/?next={course.url}")).by_language()
    assert page["ru"]["href"] == f"/ru/accounts/login/?next={russian.url}"
    assert page["et"]["href"] == "/et/accounts/login/?next=/et/", "no Estonian translation: its home page"


def test_a_page_served_in_an_interface_only_language_links_to_its_content_language(client, translated_course):
    course, _russian = translated_course
    kazakh = links(client.get("/kk/courses/ai-basics/"))
    assert kazakh.html_lang == "kk"
    assert kazakh.by_language()["kk"]["aria-current"] == "true"
    assert kazakh.by_language()["en"]["href"] == course.url


# hreflang alternates


def test_hreflang_alternates_list_the_translations_and_the_source_as_x_default(client, translated_course):
    course, russian = translated_course
    for url in (course.url, russian.url):
        alternates = links(client.get(url)).alternates
        assert alternates == {
            "en": f"http://testserver{course.url}",
            "ru": f"http://testserver{russian.url}",
            "x-default": f"http://testserver{course.url}",
        }, "no alternate may point at another language's home page"


def test_hreflang_alternates_of_a_view_cover_every_language(client):
    alternates = links(client.get("/ru/accounts/signup/")).alternates
    assert alternates == {
        "et": "http://testserver/et/accounts/signup/",
        "ru": "http://testserver/ru/accounts/signup/",
        "en": "http://testserver/en/accounts/signup/",
        "kk": "http://testserver/kk/accounts/signup/",
        "x-default": "http://testserver/en/accounts/signup/",
    }


# The saved language


def test_a_signed_in_switch_is_saved_and_applied_at_the_next_log_in(client, translated_course):
    course, russian = translated_course
    user = f.UserFactory(username="nora")
    client.force_login(user)

    switch = links(client.get(course.url)).by_language()["ru"]
    assert switch == {
        "kind": "form",
        "action": "/en/accounts/language/",
        "method": "post",
        "csrfmiddlewaretoken": switch["csrfmiddlewaretoken"],
        "language": "ru",
        "next": russian.url,
        "button_lang": "ru",
    }
    response = client.post(switch["action"], {"language": "ru", "next": switch["next"]})
    assert response.status_code == 302 and response["Location"] == russian.url
    assert response.cookies["django_language"].value == "ru"
    assert AccountPreferences.objects.get(user=user).language == "ru"

    client.post("/ru/accounts/logout/")
    client.cookies.pop("django_language")
    response = client.post("/en/accounts/login/", {"username": "nora", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/ru/"
    assert response.cookies["django_language"].value == "ru"

    client.post("/ru/accounts/logout/")
    response = client.post("/en/accounts/login/", {"username": "nora", "password": PASSWORD, "next": course.url})
    assert response["Location"] == russian.url, "the page asked for, in the saved language"

    client.post("/ru/accounts/logout/")
    response = client.post(
        "/en/accounts/login/", {"username": "nora", "password": PASSWORD, "next": "/en/learn/dashboard/"}
    )
    assert response["Location"] == "/ru/learn/dashboard/"


def test_a_log_in_without_a_saved_language_keeps_the_page_asked_for(client):
    f.UserFactory(username="omar")
    response = client.post("/et/accounts/login/", {"username": "omar", "password": PASSWORD, "next": "/et/learn/"})
    assert response["Location"] == "/et/learn/"
    assert "django_language" not in response.cookies


def test_signing_up_saves_the_language_signed_up_in(client, mailoutbox):
    data = {
        "username": "mari",
        "first_name": "Mari",
        "email": "mari@example.com",
        "password1": "a-Long-unusual-passphrase-42",
        "password2": "a-Long-unusual-passphrase-42",
        "confirms_age": "on",
    }
    assert client.post("/et/accounts/signup/", data)["Location"] == "/et/accounts/signup/sent/"
    (link,) = re.findall(r"http://testserver(/et/accounts/signup/confirm/\S+/)", mailoutbox[0].body)
    response = client.post(link)  # the account is created when the mailed link is confirmed
    assert response["Location"] == "/et/accounts/welcome/"
    assert AccountPreferences.objects.get(user__username="mari").language == "et"
    assert response.cookies["django_language"].value == "et"


def test_the_language_view_refuses_unsafe_input(client):
    user = f.UserFactory()
    client.force_login(user)
    assert client.get("/en/accounts/language/?language=ru").status_code == 405
    assert client.post("/en/accounts/language/", {"language": "xx", "next": "/xx/"}).status_code == 400
    response = client.post("/en/accounts/language/", {"language": "ru", "next": "https://evil.example/"})
    assert response["Location"] == "/ru/"
    response = client.post("/en/accounts/language/", {"language": "et", "next": "//evil.example/x"})
    assert response["Location"] == "/et/"
    assert AccountPreferences.objects.get(user=user).language == "et"


def test_the_language_view_needs_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.UserFactory())
    assert client.post("/en/accounts/language/", {"language": "ru", "next": "/ru/"}).status_code == 403


def test_anonymous_visitors_get_plain_links_and_nothing_is_saved(client, translated_course):
    entries = links(client.get(translated_course[0].url)).switcher
    assert {entry["kind"] for entry in entries} == {"link"}
    response = client.post("/en/accounts/language/", {"language": "ru", "next": "/ru/"})
    assert response["Location"] == "/ru/" and response.cookies["django_language"].value == "ru"
    assert not AccountPreferences.objects.exists()


# Translated pages

ENGLISH = [
    "Skip to content",
    "Courses",
    "Log in",
    "Sign up",
    "An open, self-hostable",
    "Browse courses",
    "Create a free account",
    "Forgot your password?",
    "No account yet?",
    "Create your account",
    "Already have an account?",
    "First name",
    "Last name",
    "Used only to reset your password.",
    "Username",
    "Password",
    "Language",
]
TRANSLATED = {
    "et": ["Otse sisu juurde", "Kursused", "Logi sisse", "Registreeru", "TI-kirjaoskus"],
    "ru": ["Перейти к содержимому", "Курсы", "Войти", "Зарегистрироваться", "ИИ-грамотность"],
    "kk": ["Негізгі мазмұнға өту", "Курстар", "Кіру", "Тіркелу", "ЖИ сауаттылығы"],
}


@pytest.mark.parametrize("language", ["et", "ru", "kk"])
@pytest.mark.parametrize("path", ["", "accounts/login/", "accounts/signup/", "accounts/password_reset/"])
def test_home_log_in_and_sign_up_pages_speak_the_language_of_their_url(client, language, path):
    response = client.get(f"/{language}/{path}")
    page = links(response)
    assert page.html_lang == language
    html = response.content.decode()
    interface = re.sub(r"<title>.*?</title>|<h1>.*?</h1>|<div class=\"hero__text\">.*?</div>", "", html, flags=re.S)
    for word in TRANSLATED[language]:
        assert word in html, word
    for english in ENGLISH:
        assert english not in interface, f"{english!r} on /{language}/{path}"


@pytest.mark.parametrize(
    "language, too_short",
    [
        ("et", "See salasõna on liiga lühike. See peab olema vähemalt 8 märgi pikkune."),
        ("ru", "Этот пароль слишком короткий. Он должен содержать как минимум 8 символов."),
        ("kk", "Бұл құпия сөз тым қысқа. Ол кемінде 8 таңбадан тұруы керек."),
    ],
)
def test_sign_up_errors_are_translated(client, language, too_short):
    response = client.post(
        f"/{language}/accounts/signup/",
        {"username": "x y", "email": "nope", "password1": "123", "password2": "123"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert too_short in html
    for english in ["This password is too short", "entirely numeric", "Enter a valid", "This field is required"]:
        assert english not in html, english


def test_the_error_pages_are_translated():
    with translation.override("ru"):
        html = render_to_string("500.html")
    assert '<html lang="ru">' in html and "Ошибка сервера" in html


def test_callout_labels_follow_the_language():
    block = CalloutBlock()
    value = block.to_python({"kind": "warning", "title": "", "text": "<p>Careful.</p>"})
    with translation.override("et"):
        assert "Hoiatus" in block.render(value)
    with translation.override("en"):
        assert "Warning" in block.render(value)


def test_block_labels_are_translated_but_stay_out_of_migrations():
    """Labels set with ``labelled`` are not constructor arguments, so LessonPage.body needs no new migration."""
    with translation.override("ru"):
        labels = {name: str(block.label) for name, block in CalloutBlock().child_blocks.items()}
        assert str(dict(CONTENT_BLOCKS)["paragraph"].label) == "Абзац"
    assert labels == {"kind": "Тип", "title": "Заголовок", "text": "Текст"}
    for _name, block in CONTENT_BLOCKS:
        children = getattr(block, "child_blocks", {}).values()
        for each in [block, *children]:
            assert "label" not in each.deconstruct()[2], each
    call_command("makemigrations", "cms", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/en/accounts/password_reset/", "/ru/accounts/password_reset/"),
        ("/en/learn/dashboard/?tab=notes", "/ru/learn/dashboard/?tab=notes"),
        ("/en/robots.txt", "/ru/robots.txt"),  # resolves to no view: the prefix is swapped
        ("/ru/courses/", "/ru/courses/"),
        ("/static/cms/css/site.css", "/static/cms/css/site.css"),  # no language prefix: left alone
    ],
)
def test_paths_move_to_another_language_by_their_prefix(url, expected):
    assert path_in_language(url, "ru") == expected
